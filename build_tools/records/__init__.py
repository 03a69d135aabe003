"""Stage 1, records: read review.yaml and studies/*.yaml safely (with the file and line of every
value), flatten them into the tables of the review's Frictionless schema, and validate them.
Nothing here touches the network or renders anything.
"""
