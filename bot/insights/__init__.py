"""Clinic insights: what patients ask, counted without their words, and a review queue.

Two processes share it. Rasa records every turn, from every channel, as it saves the
conversation (`bot/rasa_ext/insights_tracker_store.py`): a row of counts with no text and no
sender id, and, for a question it could not answer, its redacted text in the review queue. The
gateway reads both for the staff page (`bot/gateway/routes/staff.py`), records the turns it had
to answer itself, and deletes a conversation's queued questions on "forget me".
`make review-export` turns reviewed questions into training data (`export.py`).
"""
