from bot.gateway.rate_limit import RateLimiter


def test_a_sender_past_the_limit_waits_until_the_oldest_message_leaves_the_window():
    limiter = RateLimiter(per_minute=2, window_seconds=60.0)
    assert limiter.retry_after("a", now=0.0) == 0.0
    assert limiter.retry_after("a", now=10.0) == 0.0
    assert limiter.retry_after("a", now=20.0) == 40.0
    assert limiter.retry_after("a", now=60.0) == 0.0


def test_senders_gone_quiet_for_a_window_are_forgotten_within_the_next_one():
    limiter = RateLimiter(per_minute=5, window_seconds=60.0)
    for number in range(1000):
        limiter.retry_after(f"patient-{number}", now=number * 0.01)
    assert limiter.senders == 1000
    limiter.retry_after("later", now=75.0)
    # Everyone else's last message is more than a window old.
    assert limiter.senders == 1


def test_a_sender_still_in_the_window_keeps_its_count_through_a_sweep():
    limiter = RateLimiter(per_minute=2, window_seconds=60.0)
    limiter.retry_after("quiet", now=0.0)
    limiter.retry_after("busy", now=30.0)
    limiter.retry_after("busy", now=59.0)
    assert limiter.retry_after("other", now=61.0) == 0.0  # a window since the last sweep
    assert limiter.senders == 2  # "quiet" went, "busy" stays
    assert limiter.retry_after("busy", now=62.0) == 28.0
