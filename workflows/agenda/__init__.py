"""Each staff member's agenda ("Meine Termine"): the home visits they are to make and the
consultation hours they are on duty at, for a day or a week (``days``), and the private
calendar address a calendar program subscribes to (``feed``): ids and times, never a name.
"""
