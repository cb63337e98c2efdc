"""Escalations to the force and the OPCC: the steps and who may take each (one rule for pages and API), due dates
in working days (`workdays.py`), reminders, and the OPCC's escalation report (`report.py`)."""
