"""The surveys API: surveys, their questions and responses, public submission, themes and recommendations, with the
same permissions as the pages (docs/recommendations.md, docs/surveys.md).

Views are thin: reach the object through surveys/permissions.py (or the helpers in surveys/themes.py and
surveys/recommendations.py), call a service, serialise. A step a service refuses is a 400 with its message.
Public submission calls the same `response_submit` service the public form does, so it checks the same things:
the survey must be open, the form token fresh and unused, the answers valid.
"""
