"""The staff's own pages: ``tasks`` (the task pages and the staff inbox),
``letters``, ``nominations`` (lists, detail pages, files, calls) and ``staff``
(the 403 explainer, dashboard, exports, personal data, email preference).
viewflow's inbox, queue and process pages are in ``review.site``."""
