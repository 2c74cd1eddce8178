"""No task sits in the broker for long, and no task outlives the broker's visibility timeout.

A message with a long ETA or countdown waits unacknowledged in a worker; Redis hands it to
another worker after `visibility_timeout`, and it runs twice (ENGINEERING-NOTES, celery#2599).
Likewise a task still running when the visibility timeout expires is delivered again. So:
every countdown/eta in the code is a constant of at most 5 minutes (there are none today), and
every task's hard time limit is below the visibility timeout.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from innovation.celery import app

ROOT = Path(settings.BASE_DIR)
APPS = ["innovation", "ideas", "juries", "rituals"]
MAX_DELAY_SECONDS = 5 * 60
DELAY_KEYWORDS = {"countdown", "eta", "retry_backoff_max", "default_retry_delay"}


def project_sources() -> list[Path]:
    return sorted(
        path
        for package in APPS
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def delay_keywords(path: Path) -> list[tuple[int, str, ast.expr]]:
    """Every `countdown=`/`eta=`... keyword argument, and every `countdown`/`eta` key of a
    dict literal (apply_async options, beat schedule options), with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call):
            found += [(node.lineno, kw.arg, kw.value) for kw in node.keywords if kw.arg]
        elif isinstance(node, ast.Dict):
            found += [
                (key.lineno, key.value, value)
                for key, value in zip(node.keys, node.values, strict=True)
                if isinstance(key, ast.Constant) and isinstance(key.value, str)
            ]
    return [(line, name, value) for line, name, value in found if name in DELAY_KEYWORDS]


def test_the_scan_sees_the_project_and_would_catch_a_long_countdown(tmp_path):
    assert len(project_sources()) > 50
    sample = tmp_path / "sample.py"
    sample.write_text(
        "task.apply_async(kwargs={}, countdown=7 * 24 * 3600)\n"
        "schedule = {'x': {'options': {'eta': when}}}\n"
    )

    found = [(line, name) for line, name, _value in delay_keywords(sample)]

    assert found == [(1, "countdown"), (2, "eta")]


def test_no_code_schedules_a_task_more_than_five_minutes_ahead():
    problems = []
    for path in project_sources():
        for line, name, value in delay_keywords(path):
            where = f"{path.relative_to(ROOT)}:{line} {name}="
            try:
                seconds = ast.literal_eval(value)
            except ValueError:
                # An `eta` or a computed countdown cannot be bounded statically: not allowed.
                problems.append(where + ast.unparse(value) + " (not a constant)")
                continue
            if not isinstance(seconds, int | float) or seconds > MAX_DELAY_SECONDS:
                problems.append(where + repr(seconds))

    assert problems == []


def test_periodic_tasks_carry_no_eta_or_long_countdown_and_exist():
    tasks = our_tasks()
    for name, entry in app.conf.beat_schedule.items():
        options = entry.get("options", {})
        assert options.get("countdown", 0) <= MAX_DELAY_SECONDS, name
        assert "eta" not in options, name
        assert entry["task"] in tasks, name


def our_tasks() -> dict:
    app.loader.import_default_modules()
    return {
        name: task
        for name, task in app.tasks.items()
        if name.split(".")[0] in APPS and not name.startswith("celery.")
    }


def test_every_task_has_a_time_limit_below_the_brokers_visibility_timeout():
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert settings.CELERY_BROKER_URL.startswith("redis://")  # the production broker
    tasks = our_tasks()
    assert {
        "innovation.send_notification_email",
        "innovation.send_pending_emails",
        "ideas.send_followup_reminders",
        "rituals.send_reminders",
    } <= set(tasks)

    limits = {name: task.time_limit or app.conf.task_time_limit for name, task in tasks.items()}

    assert all(limits.values()), limits  # no task without a hard limit
    assert {name: limit for name, limit in limits.items() if limit >= visibility} == {}
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit


@pytest.mark.parametrize("name", ["task_acks_late", "task_reject_on_worker_lost"])
def test_a_task_lost_with_its_worker_is_delivered_again(name):
    # What the worker-kill tests (tests/integration/test_faults_worker.py) rely on.
    assert app.conf[name] is True


def test_no_task_retries_later_than_five_minutes():
    for name, task in our_tasks().items():
        assert (task.default_retry_delay or 0) <= MAX_DELAY_SECONDS, name
        if getattr(task, "autoretry_for", None):
            assert getattr(task, "retry_backoff_max", 0) <= MAX_DELAY_SECONDS, name
