"""Monitoring of background work for administrators: the desk page /desk/giam-sat/.

records.py keeps the last run of each periodic job in Redis, selectors.py reads what the page
shows (cron jobs from core/cron.py, RQ queues, cron schedulers), services.py enqueues a job on
demand, views.py and urls.py serve the page.
"""
