"""Reports for the council and the funders: one period, one office or all, counted from the
database with no names (``figures``); counts under 5 shown as "< 5", shares and medians of
fewer than 5 cases withheld, in the page and in every export alike (``cells``); CSV and XLSX
(``exports``).
"""
