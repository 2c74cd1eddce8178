"""The form widgets every app shares."""

from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker; it reads and writes ISO dates whatever the locale."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    """The browser's time picker (24-hour ISO times)."""

    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)
