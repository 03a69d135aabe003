"""Stage 5, pages: the site's pages as data ({path: content}) rendered with Jinja2 from the
evidence - study and theme pages, evidence views, charts and PRISMA as SVG, downloads, feed -
and `generate_site`, the pipeline from project files to pages.
"""
