"""Realistic demo data for ``manage.py load_demo`` and the logins ``manage.py demo_logins`` prints.

``tables`` holds the content (organisation, staff, places, products, fault descriptions in
Chinese, drawn from the seed documents' product lines); ``clock`` lets the real services stamp
simulated moments; ``loader`` builds everything through the real services, deterministically
from a seed. Nothing outside the two management commands and their tests imports this package.
"""
