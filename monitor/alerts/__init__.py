"""Alerts: status change events turned into chat messages and delivered through Apprise.

::

    Event (monitor/events.py)
      |  routing.channels_for: the channels whose networks, groups and
      |  minimum severity take the event
      v
    outbox rows, one per (event, channel)             outbox.enqueue
      |  the events of one channel within the grouping window
      v
    sealed message: render.render -> render.split     outbox.seal
      |  its text is fixed before the first part is sent
      v
    parts of at most the service's length, "(1/3)"   routing.service_of
      |
      v
    Apprise -> Telegram, Slack, Discord, e-mail ...   sender
"""
