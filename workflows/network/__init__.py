"""The network of partners and volunteers (the programme's fourth work field): the people to
speak to at each partner organisation (``contacts``), the volunteers an office works with and
a volunteer suggested to a household with its consent (``volunteers``), and one search over
both by language, area and district (``search``).
"""
