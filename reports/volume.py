"""A large, realistic, reproducible data set for measuring the portal at
county scale (`manage.py seed_volume`).

Built on top of the demo (organisations, people, themes, charters) with
`bulk_create` in batches: no services, no audit events per row, no e-mails.
The same seed gives the same rows. It lives in `reports` because it writes
to every app, and only `reports` may import them all.
"""

import random
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.db import models, transaction
from django.utils import timezone

from actionplan.models import (
    Action,
    Board,
    Measure,
    MeasureTarget,
    MeasureValue,
    Plan,
    Priority,
    ProgressUpdate,
    Status,
)
from charter.models import Charter, PulseAnswer, PulseResponse, PulseRound
from core.audit import Verb
from core.models import AuditEvent, Membership, Organisation, Role, ServiceArea, Theme, User
from core.working_days import add_working_days
from feedback import services as feedback_services
from feedback.models import Feedback, Quote, ReferenceCounter, Reply, StatusChange

from .models import Report, ReportItem, ReportTopic

MARKER_VERB = Verb.VOLUME_SEEDED.value
BATCH = 5_000


@dataclass
class Volume:
    feedback: int = 100_000
    actions: int = 10_000
    big_plan_actions: int = 2_000
    updates_per_action: int = 3
    reports: int = 500
    pulse_answers: int = 20_000
    # Measures of impact on the stress-case plan's actions, each with its values.
    measures: int = 2_000
    values_per_measure: int = 25
    years: int = 5
    answered_share: float = 0.7

    @classmethod
    def scaled(cls, scale: float, **overrides) -> "Volume":
        base = cls()
        values = {name: max(1, round(getattr(base, name) * scale))
                  for name in ("feedback", "actions", "big_plan_actions", "reports",
                               "pulse_answers", "measures")}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


# Words families and officers use; combined at random into plausible text.
SAID = [
    "Nobody replied to my e-mails about the EHCP for weeks.",
    "The annual review happened late and the plan was not updated.",
    "Home to school transport was cancelled with one day's notice.",
    "The transport escort was kind and knew my son's needs.",
    "We waited 18 months for an autism assessment.",
    "The SENCo listened and put support in place quickly.",
    "The Local Offer website has out-of-date phone numbers.",
    "Short breaks over the summer holiday were brilliant.",
    "I did not know who my case officer was.",
    "CAMHS discharged my daughter without telling the school.",
    "The speech and language therapist explained everything clearly.",
    "Moving to college felt rushed and nobody planned the transition.",
    "The parent carer forum coffee morning helped me understand the process.",
    "Letters use jargon I do not understand.",
    "My child felt safe at the new specialist provision.",
]
BETTER = [
    "Tell us who is dealing with our case and reply within a week.",
    "Send the draft plan before the meeting so we can read it.",
    "Give more notice when transport changes.",
    "Keep the Local Offer up to date.",
    "Offer appointments after school hours.",
    "Explain the next steps in plain words.",
    "Let young people speak for themselves in reviews.",
    "Plan the move to adult services from age 14.",
    "Have more short break places in the holidays.",
    "Train school staff about anxiety and masking.",
]
DID = [
    "We added a named contact to every EHCP letter and answer e-mails within five working days.",
    "Transport changes now come with ten working days' notice, except in emergencies.",
    "We checked every Local Offer entry and now review each one every six months.",
    "We funded 200 more short break places for the summer holidays.",
    "Annual reviews are now booked six weeks ahead and the draft is sent first.",
    "We wrote our letters again with parent carers, in plain English.",
    "Preparing for adulthood reviews now start in Year 9.",
    "Schools can book anxiety training from the educational psychology team.",
    "We opened an evening clinic for therapy appointments.",
    "Young people now have their own section in every review.",
]
REPORT_TOPICS = [
    ("Home to school transport", "transport", "Home to school transport"),
    ("EHCP timeliness", "plans", "EHC needs assessment and plans"),
    ("Local Offer", "information", "Local Offer"),
    ("Short breaks", "holidays", "Short breaks"),
    ("Mental health support", "wellbeing", "Mental health"),
    ("Preparing for adulthood", "transition", "Preparing for adulthood"),
    ("Support in school", "school", "Education"),
    ("Therapies", "therapy", "Health"),
]
ACTION_VERBS = ["Review", "Improve", "Publish", "Co-produce", "Train staff on", "Reduce waits for",
                "Set up", "Audit", "Extend", "Evaluate"]
ACTION_OBJECTS = ["annual reviews", "the Local Offer", "transport arrangements",
                  "short break places", "EHCP quality assurance", "transition planning",
                  "SENCo networks", "therapy waiting lists", "parent carer training",
                  "communication with families", "autism assessments", "CAMHS referrals"]
PRIORITY_TITLES = ["Identifying needs early", "Timely, good-quality plans",
                   "Communication with families", "Preparing for adulthood",
                   "Health services", "Inclusion in mainstream schools",
                   "Emotional wellbeing", "Short breaks and respite", "Co-production",
                   "Workforce development"]


@contextmanager
def _own_timestamps(*model_classes):
    """Let bulk_create keep the dates we give (auto_now/auto_now_add would
    overwrite them with now), so five years of history look five years old."""
    saved = []
    for model in model_classes:
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField | models.DateField) and (
                    field.auto_now or field.auto_now_add):
                saved.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _bulk(model, objects: Iterable, batch: int = BATCH) -> list:
    objects = list(objects)
    for start in range(0, len(objects), batch):
        model.objects.bulk_create(objects[start:start + batch], batch_size=batch)
    return objects


def _at(day: date, rng: random.Random) -> datetime:
    moment = datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)))
    return timezone.make_aware(moment)


@lru_cache(maxsize=4096)
def _due(day: date) -> date:
    return add_working_days(day, 20)


@lru_cache(maxsize=4096)
def _working_day_after(day: date, n: int) -> date:
    return add_working_days(day, n)


def already_seeded() -> bool:
    return AuditEvent.objects.filter(verb=MARKER_VERB).exists()


def seed(volume: Volume, *, seed: int = 2026, today: date | None = None,
         log: Callable[[str], None] = lambda _: None) -> dict[str, int]:
    """Write the volume. Needs the demo (organisations, people, themes)."""
    rng = random.Random(seed)  # nosec B311 # made-up test volume, reproducible on purpose
    today = today or timezone.localdate()
    officer = User.objects.filter(email="officer@demo.example").first()
    approver = User.objects.filter(email="approver@demo.example").first()
    if officer is None or approver is None:
        raise RuntimeError("Load the demo first (manage.py load_demo)")
    counts: dict[str, int] = {}
    with _own_timestamps(Feedback, StatusChange, Reply, Quote, Plan, Action, ProgressUpdate,
                         Report, ReportItem, PulseResponse), transaction.atomic():
        quotes = _seed_feedback(volume, rng, today, officer, approver, counts, log)
        actions = _seed_actions(volume, rng, today, officer, counts, log, seed)
        _seed_measures(volume, rng, today, officer, actions, counts, log, seed)
        _seed_reports(volume, rng, today, officer, approver, quotes, actions, counts, log, seed)
        _seed_pulse(volume, rng, today, counts, log, seed)
        AuditEvent.objects.create(verb=MARKER_VERB, target_type="volume", target_id=str(seed),
                                  summary="seed_volume", data=counts)
    return counts


def _seed_feedback(volume, rng, today, officer, approver, counts, log) -> list[Quote]:
    orgs = list(Organisation.objects.order_by("id"))
    weights = [6 if o.kind == Organisation.Kind.LOCAL_AUTHORITY else
               3 if o.kind.startswith("nhs") else 1 for o in orgs]
    themes = list(Theme.objects.order_by("id"))
    areas = list(ServiceArea.objects.order_by("id"))
    handlers = {m.organisation_id: m.user for m in
                Membership.objects.filter(role=Role.OFFICER)
                .select_related("user")}
    channels = [(Feedback.Channel.WEB_FORM, 45), (Feedback.Channel.EASY_READ, 5),
                (Feedback.Channel.EMAIL, 15), (Feedback.Channel.PHONE, 10),
                (Feedback.Channel.WORKSHOP, 5), (Feedback.Channel.SURVEY, 12),
                (Feedback.Channel.COMPLAINT, 4), (Feedback.Channel.COMPLIMENT, 4)]
    channel_values, channel_weights = zip(*channels, strict=True)
    span = volume.years * 365
    start_day = today - timedelta(days=span)
    days = sorted(start_day + timedelta(days=rng.randrange(span)) for _ in range(volume.feedback))

    counters = {c.year: c.last for c in ReferenceCounter.objects.all()}
    rows = []
    for received_on in days:
        year = received_on.year
        counters[year] = counters.get(year, 0) + 1
        channel = rng.choices(channel_values, channel_weights)[0]
        org = rng.choices(orgs, weights)[0]
        answered = channel != Feedback.Channel.SURVEY and rng.random() < volume.answered_share / 0.88
        age = (today - received_on).days
        if answered:
            responded_on = min(_working_day_after(received_on, rng.choice(
                [2, 5, 8, 10, 12, 15, 18, 20, 25, 30, 40])), today)
            status = Feedback.Status.CLOSED if age > 60 and rng.random() < 0.6 else \
                Feedback.Status.RESPONDED
        else:
            responded_on = None
            if channel == Feedback.Channel.SURVEY or (age > 120 and rng.random() < 0.85):
                status = Feedback.Status.CLOSED
            else:
                status = rng.choice([Feedback.Status.RECEIVED, Feedback.Status.ACKNOWLEDGED,
                                     Feedback.Status.IN_REVIEW])
        created = _at(received_on, rng)
        rows.append(Feedback(
            reference=f"FB-{year}-{counters[year]:05d}",
            tracking_token=f"{rng.getrandbits(256):064x}",
            channel=channel, received_on=received_on,
            respondent=rng.choice(Feedback.Respondent.values),
            age_group=rng.choice(Feedback.AgeGroup.values),
            what_went_well=rng.choice(SAID) if rng.random() < 0.6 else "",
            even_better_if=rng.choice(BETTER),
            rating=rng.randint(1, 5) if rng.random() < 0.8 else None,
            consent_to_quote=rng.random() < 0.3,
            organisation=org, status=status,
            assigned_to=handlers.get(org.id) if status != Feedback.Status.RECEIVED else None,
            response_due_on=_due(received_on),
            responded_at=_at(responded_on, rng) if responded_on else None,
            created_at=created, updated_at=created,
        ))
    log(f"  feedback: writing {len(rows)} rows")
    _bulk(Feedback, rows)
    feedback_services.search_vector_fill_missing()  # what the inbox's text search reads
    for year, last in counters.items():
        ReferenceCounter.objects.update_or_create(year=year, defaults={"last": last})
    # bulk_create on Postgres returns ids; elsewhere read them back in order.
    if rows and rows[0].pk is None:
        ids = dict(Feedback.objects.filter(reference__in=[r.reference for r in rows])
                   .values_list("reference", "pk"))
        for row in rows:
            row.pk = row.id = ids[row.reference]
    counts["feedback"] = len(rows)

    theme_links, area_links, changes, replies, quotes = [], [], [], [], []
    ThemeLink = Feedback.themes.through
    AreaLink = Feedback.service_areas.through
    for fb in rows:
        for theme in rng.sample(themes, rng.choice([1, 1, 2, 2, 3])):
            theme_links.append(ThemeLink(feedback_id=fb.pk, theme_id=theme.pk))
        for area in rng.sample(areas, rng.choice([1, 1, 2])):
            area_links.append(AreaLink(feedback_id=fb.pk, servicearea_id=area.pk))
        steps = [Feedback.Status.RECEIVED]
        if fb.status != Feedback.Status.RECEIVED:
            steps.append(Feedback.Status.IN_REVIEW if fb.status != Feedback.Status.ACKNOWLEDGED
                         else Feedback.Status.ACKNOWLEDGED)
        if fb.responded_at:
            steps.append(Feedback.Status.RESPONDED)
        if fb.status == Feedback.Status.CLOSED:
            steps.append(Feedback.Status.CLOSED)
        at = fb.created_at
        previous = ""
        for step in steps:
            changes.append(StatusChange(feedback_id=fb.pk, from_status=previous, to_status=step,
                                        actor=None if step == Feedback.Status.RECEIVED else officer,
                                        at=at))
            previous = step
            at = fb.responded_at if step == Feedback.Status.IN_REVIEW and fb.responded_at \
                else at + timedelta(hours=rng.randint(1, 72))
        if fb.responded_at:
            outcome = rng.choice(Reply.Outcome.values)
            replies.append(Reply(
                feedback_id=fb.pk, author=officer, outcome=outcome,
                text=rng.choice(DID),
                reason="The budget for this year is already committed." if outcome ==
                Reply.Outcome.NOT_POSSIBLE else "",
                state=Reply.State.PUBLISHED, decided_by=approver, decided_at=fb.responded_at,
                published_at=fb.responded_at, created_at=fb.responded_at,
                updated_at=fb.responded_at))
        if fb.consent_to_quote and fb.what_went_well and rng.random() < 0.1:
            quotes.append(Quote(feedback_id=fb.pk, redacted_text=fb.what_went_well,
                                theme=themes[fb.pk % len(themes)], status=Quote.Status.APPROVED,
                                proposed_by=officer, decided_by=approver,
                                decided_at=fb.created_at + timedelta(days=3),
                                created_at=fb.created_at, updated_at=fb.created_at))
    for model, objects, name in ((ThemeLink, theme_links, "feedback themes"),
                                 (AreaLink, area_links, "feedback service areas"),
                                 (StatusChange, changes, "status changes"),
                                 (Reply, replies, "replies"), (Quote, quotes, "quotes")):
        log(f"  {name}: writing {len(objects)} rows")
        _bulk(model, objects)
        counts[name] = len(objects)
    if quotes and quotes[0].pk is None:
        quotes = list(Quote.objects.filter(status=Quote.Status.APPROVED))
    return quotes


def _seed_actions(volume, rng, today, officer, counts, log, seed) -> list[Action]:
    orgs = list(Organisation.objects.order_by("id"))
    themes = list(Theme.objects.order_by("id"))
    board = Board.objects.order_by("id").first()
    sizes = []
    remaining = max(0, volume.actions - volume.big_plan_actions)
    while remaining > 0:
        size = min(remaining, rng.randint(30, 90))
        sizes.append(size)
        remaining -= size
    # The stress case is the newest plan, so /action-plan/ shows it.
    plans, priorities_by_plan = [], []
    n_plans = len(sizes) + 1
    for index in range(n_plans):
        big = index == n_plans - 1
        start = today - timedelta(days=365 * volume.years) + timedelta(
            days=(index * 365 * volume.years) // n_plans)
        if big:
            start = today - timedelta(days=60)
        plan = Plan(title=("County SEND improvement plan (stress case)" if big else
                           f"Local area SEND plan {index + 1}"),
                    slug=f"volume-plan-{seed}-{index + 1}", area=rng.choice(["Gloucestershire",
                                                                     "Herefordshire",
                                                                     "Worcestershire"]),
                    period_start=start, period_end=start + timedelta(days=3 * 365),
                    board=board, summary="Priorities agreed by all partners with parent carers.",
                    is_published=True, created_at=_at(start, rng), updated_at=_at(start, rng))
        plans.append((plan, volume.big_plan_actions if big else sizes[index]))
    _bulk(Plan, [p for p, _ in plans])
    if plans and plans[0][0].pk is None:
        by_slug = {p.slug: p for p in Plan.objects.filter(slug__startswith=f"volume-plan-{seed}-")}
        plans = [(by_slug[p.slug], size) for p, size in plans]
    priority_rows = []
    for plan, size in plans:
        n = 10 if size >= 1000 else rng.randint(4, 8)
        rows = [Priority(plan=plan, number=i + 1, title=PRIORITY_TITLES[i % len(PRIORITY_TITLES)])
                for i in range(n)]
        priority_rows.extend(rows)
        priorities_by_plan.append((plan, size, rows))
    _bulk(Priority, priority_rows)
    if priority_rows and priority_rows[0].pk is None:
        lookup = {(p.plan_id, p.number): p for p in
                  Priority.objects.filter(plan__slug__startswith=f"volume-plan-{seed}-")}
        priorities_by_plan = [(plan, size, [lookup[(plan.pk, r.number)] for r in rows])
                              for plan, size, rows in priorities_by_plan]

    actions = []
    for plan, size, priorities in priorities_by_plan:
        for i in range(size):
            priority = priorities[i % len(priorities)]
            start = plan.period_start + timedelta(days=rng.randint(0, 200))
            created = _at(plan.period_start, rng)
            actions.append(Action(
                priority=priority, reference=f"{priority.number}.{i // len(priorities) + 1}",
                title=f"{rng.choice(ACTION_VERBS)} {rng.choice(ACTION_OBJECTS)}",
                description="Agreed with the parent carer forum.",
                lead_organisation=rng.choice(orgs), owner=officer if rng.random() < 0.5 else None,
                start_date=start, due_date=start + timedelta(days=rng.randint(60, 700)),
                success_measures="Families tell us it is better in the annual survey.",
                inspection_finding=rng.random() < 0.15, is_public=rng.random() < 0.6,
                created_at=created, updated_at=created))
    log(f"  actions: writing {len(actions)} rows in {len(plans)} plans")
    _bulk(Action, actions)
    if actions and actions[0].pk is None:
        actions = list(Action.objects.filter(priority__plan__slug__startswith=f"volume-plan-{seed}-")
                       .order_by("id"))
    counts["actions"] = len(actions)
    counts["plans"] = len(plans)

    updates, theme_links = [], []
    ThemeLink = Action.themes.through
    percent_for = {Status.NOT_STARTED: 0, Status.ON_TRACK: 40, Status.AT_RISK: 30,
                   Status.OFF_TRACK: 20, Status.COMPLETE: 100, Status.CANCELLED: 0}
    statuses = [Status.ON_TRACK] * 5 + [Status.AT_RISK] * 2 + [Status.OFF_TRACK, Status.COMPLETE,
                                                                 Status.CANCELLED]
    for action in actions:
        theme_links.append(ThemeLink(action_id=action.pk, theme_id=rng.choice(themes).pk))
        day = action.start_date
        last = None
        for _ in range(volume.updates_per_action):
            day = min(day + timedelta(days=rng.randint(20, 120)), today)
            status = rng.choice(statuses)
            last = ProgressUpdate(
                action_id=action.pk, date=day, status=status,
                percent=min(100, percent_for[status] + rng.randint(0, 20)) if status !=
                Status.COMPLETE else 100,
                narrative="Progress reviewed at the board.",
                public_narrative="We are working on this with parent carers."
                if rng.random() < 0.5 else "",
                author=officer, created_at=_at(day, rng), updated_at=_at(day, rng))
            updates.append(last)
        if last is not None:
            action.current_status, action.current_percent = last.status, last.percent
            action.last_update_on = last.date
    log(f"  progress updates: writing {len(updates)} rows")
    _bulk(ProgressUpdate, updates)
    _bulk(ThemeLink, theme_links)
    Action.objects.bulk_update(actions, ["current_status", "current_percent", "last_update_on"],
                               batch_size=2_000)
    counts["progress updates"] = len(updates)
    return actions


MEASURE_NAMES = [("EHC plans issued within 20 weeks", "percent", "up"),
                 ("Weeks to a first therapy appointment", "weeks", "down"),
                 ("Families waiting more than 12 weeks for early help", "people", "down"),
                 ("Annual reviews held on time", "percent", "up"),
                 ("Days from referral to an autism assessment", "days", "down")]


def _seed_measures(volume, rng, today, officer, actions, counts, log, seed) -> None:
    """Measures on the stress-case plan's actions (its newest `measures`
    actions, one each; more measures than actions wrap round), each with a
    baseline, a target and `values_per_measure` monthly values."""
    if not volume.measures or not actions:
        return
    big = actions[-volume.big_plan_actions:] or actions  # the stress case is written last
    measures = []
    for i in range(volume.measures):
        name, unit, direction = MEASURE_NAMES[i % len(MEASURE_NAMES)]
        start = today - timedelta(days=31 * (volume.values_per_measure + 1))
        base = rng.uniform(20, 60)
        measures.append(Measure(
            action_id=big[i % len(big)].pk, code=f"V{seed}-{i + 1}", name=f"{name} ({i + 1})",
            unit=unit, direction=direction, baseline_value=round(base, 1), baseline_date=start,
            owner=officer if rng.random() < 0.5 else None, is_public=rng.random() < 0.6,
            frequency=Measure.Frequency.MONTHLY))
    log(f"  measures: writing {len(measures)} rows")
    _bulk(Measure, measures)
    if measures[0].pk is None:
        measures = list(Measure.objects.filter(code__startswith=f"V{seed}-").order_by("id"))
    targets, values = [], []
    for measure in measures:
        step = rng.uniform(-1.5, 1.5) * (1 if measure.direction == "up" else -1)
        base = float(measure.baseline_value)
        targets.append(MeasureTarget(measure_id=measure.pk, value=round(base + 20 * abs(step), 1)
                                     if measure.direction == "up" else round(max(base - 10, 1), 1),
                                     date=today + timedelta(days=365)))
        for month in range(volume.values_per_measure):
            day = measure.baseline_date + timedelta(days=31 * (month + 1))
            values.append(MeasureValue(measure_id=measure.pk, date=min(day, today),
                                       value=round(max(base + step * (month + 1)
                                                       + rng.uniform(-2, 2), 0), 1),
                                       provisional=month == volume.values_per_measure - 1))
    log(f"  measure values: writing {len(values)} rows")
    _bulk(MeasureTarget, targets)
    _bulk(MeasureValue, values)
    counts["measures"] = len(measures)
    counts["measure values"] = len(values)


def _seed_reports(volume, rng, today, officer, approver, quotes, actions, counts, log, seed) -> None:
    orgs = list(Organisation.objects.filter(kind=Organisation.Kind.LOCAL_AUTHORITY).order_by("id"))
    areas = {a.name: a for a in ServiceArea.objects.all()}
    themes = list(Theme.objects.order_by("id"))
    quotes_by_theme: dict[int, list[Quote]] = {}
    for quote in quotes:
        quotes_by_theme.setdefault(quote.theme_id, []).append(quote)
    span = volume.years * 365
    reports = []
    for i in range(volume.reports):
        topic, word, area = REPORT_TOPICS[i % len(REPORT_TOPICS)]
        end = today - timedelta(days=rng.randrange(span))
        published = _at(min(end + timedelta(days=rng.randint(10, 40)), today), rng)
        reports.append(Report(
            slug=f"volume-report-{seed}-{i + 1}", version=1,
            title=f"You said, we did: {topic} ({end:%B %Y})",
            kind=rng.choice(Report.Kind.values), period_start=end - timedelta(days=180),
            period_end=end, audience="Parent carers and young people",
            service_area=areas.get(area), organisation=rng.choice(orgs),
            summary=f"What families told us about {topic.lower()} and the {word} changes we made.",
            author=officer, status=Report.Status.PUBLISHED, approved_by=approver,
            approved_at=published, published_at=published, created_at=published,
            updated_at=published))
    log(f"  reports: writing {len(reports)} rows")
    _bulk(Report, reports, batch=1_000)
    if reports and reports[0].pk is None:
        reports = list(Report.objects.filter(slug__startswith=f"volume-report-{seed}-").order_by("id"))
    # Items go under topics (one per theme in a report), as staff arrange them.
    plan = [(report, [rng.choice(themes) for _ in range(1, rng.randint(3, 7))])
            for report in reports]
    topics = {}
    for report, chosen in plan:
        for theme in chosen:
            if (report.pk, theme.pk) not in topics:
                topics[report.pk, theme.pk] = ReportTopic(
                    report=report, title=theme.name,
                    position=len([k for k in topics if k[0] == report.pk]) + 1)
    _bulk(ReportTopic, list(topics.values()))
    items, quote_links, action_links = [], [], []
    per_topic: dict[tuple[int, int], int] = {}
    for report, chosen in plan:
        for theme in chosen:
            position = per_topic[report.pk, theme.pk] = per_topic.get((report.pk, theme.pk), 0) + 1
            outcome = rng.choice(ReportItem.Outcome.values)
            items.append(ReportItem(
                report=report, topic=topics[report.pk, theme.pk], position=position,
                heading=theme.name, theme=theme,
                you_said=rng.choice(SAID) + " " + rng.choice(BETTER), we_did=rng.choice(DID),
                raised_count=rng.randint(5, 400), outcome=outcome,
                rationale="It needs a change in national rules." if outcome ==
                ReportItem.Outcome.NOT_POSSIBLE else "",
                what_next="We will check again in six months.",
                created_at=report.published_at, updated_at=report.published_at))
    _bulk(ReportItem, items)
    if items and items[0].pk is None:
        items = list(ReportItem.objects.filter(report__slug__startswith=f"volume-report-{seed}-"))
    QuoteLink = ReportItem.quotes.through
    ActionLink = ReportItem.actions.through
    for item in items:
        for quote in rng.sample(quotes_by_theme.get(item.theme_id, []),
                                min(2, len(quotes_by_theme.get(item.theme_id, [])))):
            quote_links.append(QuoteLink(reportitem_id=item.pk, quote_id=quote.pk))
        if actions and rng.random() < 0.5:
            action_links.append(ActionLink(reportitem_id=item.pk, action_id=rng.choice(actions).pk))
    _bulk(QuoteLink, quote_links)
    _bulk(ActionLink, action_links)
    counts["reports"] = len(reports)
    counts["report items"] = len(items)
    from . import services

    services.search_documents_refresh(Report.objects.filter(slug__startswith=f"volume-report-{seed}-"))


def _seed_pulse(volume, rng, today, counts, log, seed) -> None:
    charter = Charter.objects.filter(status=Charter.Status.ADOPTED).order_by("position", "id").first()
    if charter is None:
        return
    statements = list(charter.statements.all())
    if not statements:
        return
    per_response = len(statements)
    responses_needed = max(1, volume.pulse_answers // per_response)
    rounds = [PulseRound(charter=charter, title=f"Pulse check {n + 1}",
                         held_on=today - timedelta(days=90 * (8 - n)),
                         access=PulseRound.Access.INVITATION, state=PulseRound.State.CLOSED,
                         token=f"volume-{seed}-{rng.getrandbits(128):032x}")
              for n in range(8)]
    _bulk(PulseRound, rounds)
    if rounds[0].pk is None:
        rounds = list(PulseRound.objects.filter(token__startswith=f"volume-{seed}-").order_by("held_on"))
    responses = []
    for i in range(responses_needed):
        pulse_round = rounds[i % len(rounds)]
        responses.append(PulseResponse(round=pulse_round,
                                       submitted_at=_at(pulse_round.held_on, rng)))
    _bulk(PulseResponse, responses)
    if responses[0].pk is None:
        responses = list(PulseResponse.objects.filter(round__in=rounds))
    answers = [PulseAnswer(response=response, statement=statement,
                           rating=rng.choices([1, 2, 3, 4, 5], [1, 2, 3, 5, 3])[0])
               for response in responses for statement in statements]
    log(f"  pulse answers: writing {len(answers)} rows")
    _bulk(PulseAnswer, answers)
    counts["pulse answers"] = len(answers)


