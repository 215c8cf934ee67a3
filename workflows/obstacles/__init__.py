"""Integration obstacles ("Integrationshemmnisse"): each office's list of the recurring
barriers it meets (``kinds``), an obstacle noted on a case or one of its steps and, later,
overcome (``tags``), and the figures per district and obstacle — cases affected, still open,
median days they waited — with no names, for the round table's agenda and the reports
(``figures``).
"""
