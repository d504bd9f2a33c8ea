"""English dates for an international alliance: day before month, never the US
12/01/2026 that reads as 12 January elsewhere. The long formats stay Django's."""

SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
