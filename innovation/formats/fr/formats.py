# Django's own French formats, corrected where French typography asks: the time is
# « 14 h 30 » (no-break spaces, so that « h » never starts a line), never « 14:30 » or « 14h30 ».
# Our pages write dates and times through innovation.platform.dates, which adds « 1er »;
# these formats are what Django itself prints (the admin, a datetime rendered without a filter).
TIME_FORMAT = "G\u00a0\\h\u00a0i"
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y \\à G\u00a0\\h\u00a0i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y \\à G\u00a0\\h\u00a0i"
