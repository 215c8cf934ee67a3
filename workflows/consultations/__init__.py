"""Consultation hours (Sprechstunden), the first of the programme's work fields: the weekly
schedule of each office and sub-location with who is on duty and the dates it does not take
place (``schedule``), slots booked for households and for people without a case (``booking``),
the day at the desk with the contacts recorded there (``desk``), and the monthly count the pilot
office measured its work by (``figures``). Services only flush; the caller commits."""
