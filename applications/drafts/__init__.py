"""Letters and nominations saved to finish later ("Save and continue later").

Shared by both forms: the draft model, saving, files, expiry (``services``). What
sending a resumed draft means is each one's own: ``letters.drafts.draft_submit``,
``nominations.drafts.nomination_draft_submit``.
"""
