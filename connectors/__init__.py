"""Every connection to the outside world but the database (the adapters of the cycle's ports).

The engagement platform client (`gpe`), the HTTP statistics source (`http_stats`), the one
outbound-HTTP seam they share (`http_retry`), the simulator playing both ports (`simulated`),
and the alarm notifiers (`notifiers`: a log line, a webhook, an e-mail).
"""
