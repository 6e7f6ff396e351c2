"""The only writers of the intake app. Every `do_*` takes its subject first, then keyword-only
arguments including `actor`, runs in one transaction, locks the opinion it changes, checks the
permission (role + relation, `rules.py`), the move (`states.TRANSITIONS`) and the input, saves, and
writes its audit row(s) with one correlation id. A refusal raises a `DomainError` (`NotPermitted`,
`InvalidTransition`, `ValidationFailed` with a `code`) with a Chinese message, and changes nothing.

Privacy: a constituent's name and phone never reach the audit trail — the rows say only whether
they were given (``"constituent": "***"``) — and `Opinion.__str__` (the audit's `object_repr`) is just
the opinion's number.

Decisions:

- The channel of a suggestion adopted from an opinion: the congress's active grassroots channel
  named like the opinion's event kind (e.g. 局长·代表面对面), else its first active grassroots
  channel in policy order (`selectors.default_channel`); the deputy may pick another grassroots one.
  Its collection date is the opinion's. The suggestion is a draft that the deputy submits on the
  suggestion pages; the 当日上传率 compares its first submission with the collection date.
- The constituent is told an outcome once per outcome (`OutcomeNotice.key`, see
  `selectors.outcome_of`): the unit's answer to a forwarded opinion, the signed-off replies of the
  suggestion's current round (a re-handling round is a new outcome), or the suggestion's decline.
  The SMS goes out after commit (`delivery.py`), not during the congress's quiet hours.
- A constituent who leaves a phone gets a tracking code (查询码, `Opinion.tracking_code`) when the
  opinion is recorded, by SMS (an `OutcomeNotice` with the key ``intake:<pk>:tracking``, so it goes
  through the same outbox, after commit and outside quiet hours) and on the printed slip (回执);
  with the phone's last 4 digits it opens the public progress page (`selectors.opinion_progress`).
  The audit row ``intake.opinion.tracking_sent`` names the notice, never the code or the phone.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from minyi.congress.actions import ensure_policy
from minyi.congress.models import (
    Category,
    Channel,
    Congress,
    Deputy,
    LiaisonStation,
    ThemeTag,
    Unit,
    phone_validator,
)
from minyi.core.errors import InvalidTransition, NotPermitted, ValidationFailed
from minyi.core.kit import Actor, Ctx, authorize, clean_text, record, same_congress
from minyi.suggestions import actions as suggestion_actions
from minyi.suggestions.models import Suggestion

from . import delivery
from .models import (
    PHOTO_TYPES,
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    DutyDay,
    EventKind,
    IntakePhoto,
    Opinion,
    OutcomeNotice,
    StationEvent,
)
from .rules import deputy_of, roles_of, station_ids
from .selectors import default_channel, outcome_of, outcome_text, root_of, tracking_key, tracking_text
from .states import INITIAL, MACHINE, OpinionState, Transition

if TYPE_CHECKING:
    from minyi.accounts.models import User

OS = OpinionState
TITLE_MAX = 200
CONTENT_MAX = 5000
TEXT_MAX = 2000
SMS_MAX = 500
SIGNATURE_BYTES = 8192


# --- context and checks ----------------------------------------------------------------------------


def _check_move(ctx: Ctx, state: str, action: str) -> Transition:
    return MACHINE.check_move(state, action, actor=ctx.actor, congress=ctx.congress)


def _lock(opinion: Opinion | int) -> Opinion:
    pk = opinion if isinstance(opinion, int) else opinion.pk
    return (
        Opinion.objects.select_for_update(of=("self",))
        .select_related("congress", "station", "event", "deputy", "forwarded_to")
        .get(pk=pk)
    )


def _text(value: str | None, message: str, *, code: str, limit: int = TEXT_MAX, required: bool = True) -> str:
    """`kit.clean_text` with the intake's too-long message and code (``<field>_too_long``)."""
    return clean_text(
        value,
        message,
        code=code,
        required=required,
        limit=limit,
        too_long=_("内容不能超过%(n)s个字。"),
        too_long_code=f"{code.removesuffix('_required')}_too_long",
    )


def _active(ctx: Ctx, obj: Any, what: str) -> None:
    if obj is None:
        return
    same_congress(ctx, obj, what)
    if not obj.active:
        raise ValidationFailed(_("%(what)s“%(name)s”已停用。") % {"what": what, "name": obj}, code="inactive")


def _deputies(ctx: Ctx, deputies: Sequence[Deputy], day: datetime.date) -> list[Deputy]:
    unique = list(dict.fromkeys(deputies))
    for deputy in unique:
        same_congress(ctx, deputy, _("代表"))
        if not deputy.in_office_on(day):
            raise ValidationFailed(
                _("%(d)s在%(day)s不在代表任期内。") % {"d": deputy.name, "day": day.isoformat()},
                code="not_in_office",
            )
    return unique


def _opinion_snapshot(opinion: Opinion) -> dict[str, Any]:
    """What the audit keeps of a recorded opinion: never the constituent's name or phone."""
    return {
        "station": opinion.station_id,
        "event": opinion.event_id,
        "collected_on": opinion.collected_on.isoformat(),
        "place": opinion.place,
        "content": opinion.content,
        "category": opinion.category_id,
        "deputy": opinion.deputy_id,
        "constituent": "***" if opinion.has_contact else "",
    }


def _move(ctx: Ctx, opinion: Opinion, transition: Transition) -> list[str]:
    return [*MACHINE.apply(opinion, transition, ctx.now), "updated_at"]


# --- the tracking code ----------------------------------------------------------------------------

TRACKING_TRIES = 10
#: Only a mobile number gets the SMS (a landline still gets a code, on the printed slip).
MOBILE = re.compile(r"1[3-9]\d{9}")


def new_tracking_code(congress: Congress) -> str:
    """A fresh tracking code of `congress`: `TRACKING_LENGTH` characters drawn with `secrets` from
    `TRACKING_ALPHABET` (31⁸ ≈ 8.5·10¹¹ codes), not yet given in the congress. The unique constraint
    (congress, code) backs the check: two recordings drawing the same code at the same instant —
    odds of one in hundreds of billions — fail the second one rather than share a code."""
    for _try in range(TRACKING_TRIES):
        code = "".join(secrets.choice(TRACKING_ALPHABET) for _i in range(TRACKING_LENGTH))
        if not Opinion.objects.filter(congress=congress, tracking_code=code).exists():
            return code
    raise RuntimeError(f"no free tracking code after {TRACKING_TRIES} tries")  # pragma: no cover


def _send_tracking_code(ctx: Ctx, opinion: Opinion) -> OutcomeNotice | None:
    """The SMS with the tracking code and the public address, through the outcome outbox (after
    commit, outside quiet hours), and its audit row (the notice, not the code). Only to a mobile
    number: a landline keeps its code (on the printed slip) without an SMS."""
    if not opinion.tracking_code or not MOBILE.fullmatch(opinion.constituent_phone):
        return None
    send_after = delivery.quiet_until(ensure_policy(ctx.congress), ctx.now) or ctx.now
    assert ctx.actor is not None  # recording an opinion needs a member (checked by the caller)
    notice = OutcomeNotice.objects.create(
        key=tracking_key(opinion),
        congress=ctx.congress,
        opinion=opinion,
        channel=OutcomeNotice.Channel.SMS,
        text=tracking_text(opinion),
        send_after=send_after,
        created_by=ctx.actor,
        created_at=ctx.now,
    )
    record(
        ctx,
        "intake.opinion.tracking_sent",
        opinion,
        new={"notice": notice.pk, "channel": notice.channel, "send_after": send_after},
    )
    delivery.send_after_commit(notice)
    return notice


# --- photos ----------------------------------------------------------------------------------------


def _display_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    return base.strip()[:200] or _("照片")


def inspect_photo(upload: File) -> tuple[str, int, str]:
    """(MIME type, size, sha256) of an acceptable photo — checked on the content (JPEG, PNG, GIF,
    WebP, HEIC), not on the name — else ValidationFailed."""
    limit = settings.MINYI_MAX_UPLOAD_BYTES
    size = upload.size if upload.size is not None else 0
    if size > limit:
        raise ValidationFailed(
            _("照片过大：最大%(mb)sMB。") % {"mb": round(limit / 1024 / 1024, 1)}, code="file_too_large"
        )
    if size == 0:
        raise ValidationFailed(_("文件是空的。"), code="file_empty")
    upload.seek(0)
    kind = filetype.guess(upload.read(SIGNATURE_BYTES))
    if kind is None or kind.mime not in PHOTO_TYPES:
        raise ValidationFailed(_("只能上传照片（JPG、PNG、GIF、WebP、HEIC）。"), code="file_type")
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return kind.mime, size, digest.hexdigest()


def _check_photos(photos: Sequence[File]) -> None:
    """Check every upload before anything is stored, so a bad second photo leaves no first file."""
    for upload in photos:
        inspect_photo(upload)


def _store_photo(
    ctx: Ctx, *, event: StationEvent | None, opinion: Opinion | None, upload: File, name: str | None
) -> IntakePhoto:
    mime, size, sha256 = inspect_photo(upload)
    photo = IntakePhoto(
        congress=ctx.congress,
        event=event,
        opinion=opinion,
        original_name=_display_name(name or getattr(upload, "name", "") or ""),
        content_type=mime,
        size=size,
        sha256=sha256,
        uploaded_by=ctx.actor,
        uploaded_at=ctx.now,
    )
    photo.file.save("upload", upload, save=False)
    stored = photo.file.name or ""
    try:
        photo.save()
        record(
            ctx,
            "intake.photo.added",
            photo,
            new={
                "event": photo.event_id,
                "opinion": photo.opinion_id,
                "name": photo.original_name,
                "type": mime,
                "size": size,
                "sha256": sha256,
            },
        )
    except BaseException:
        photo.file.storage.delete(stored)
        raise
    return photo


@transaction.atomic
def do_add_photo(
    target: StationEvent | Opinion, *, actor: Actor, upload: File, name: str | None = None
) -> IntakePhoto:
    """Add a photo to an event (the station's liaison clerks, congress staff) or to an opinion (the
    station's liaison clerks and the opinion's deputy)."""
    if isinstance(target, StationEvent):
        event = (
            StationEvent.objects.select_for_update(of=("self",))
            .select_related("station__congress")
            .get(pk=target.pk)
        )
        ctx = Ctx(actor=actor, congress=event.station.congress)
        authorize(
            ctx,
            "intake.manage_station",
            event.station,
            _("只有本站联络站工作人员或代表工委可以为活动上传照片。"),
        )
        return _store_photo(ctx, event=event, opinion=None, upload=upload, name=name)
    opinion = _lock(target)
    ctx = Ctx(actor=actor, congress=opinion.congress)
    authorize(
        ctx, "intake.view_contact", opinion, _("只有本站联络站工作人员或负责代表可以为该意见上传照片。")
    )
    return _store_photo(ctx, event=None, opinion=opinion, upload=upload, name=name)


@transaction.atomic
def do_remove_photo(photo: IntakePhoto, *, actor: Actor) -> None:
    """Remove a photo under the same conditions as adding one; the file goes after commit."""
    photo = IntakePhoto.objects.select_related("event__station__congress", "opinion__congress").get(
        pk=photo.pk
    )
    if photo.event is not None:
        ctx = Ctx(actor=actor, congress=photo.event.station.congress)
        authorize(
            ctx,
            "intake.manage_station",
            photo.event.station,
            _("只有本站联络站工作人员或代表工委可以删除活动照片。"),
        )
    else:
        assert photo.opinion_id is not None  # a photo belongs to an event or an opinion (constraint)
        opinion = _lock(photo.opinion_id)
        ctx = Ctx(actor=actor, congress=opinion.congress)
        authorize(
            ctx, "intake.view_contact", opinion, _("只有本站联络站工作人员或负责代表可以删除该意见的照片。")
        )
    record(
        ctx,
        "intake.photo.removed",
        photo,
        old={
            "event": photo.event_id,
            "opinion": photo.opinion_id,
            "name": photo.original_name,
            "sha256": photo.sha256,
        },
    )
    storage, stored = photo.file.storage, photo.file.name or ""
    photo.delete()
    transaction.on_commit(lambda: storage.delete(stored))


# --- events and duty days --------------------------------------------------------------------------


@dataclass(frozen=True)
class EventInput:
    """An event as the form sends it (all fields at once)."""

    kind: str
    date: datetime.date
    title: str
    place: str = ""
    topics: str = ""
    deputies: Sequence[Deputy] = ()
    officials: str = ""
    minutes: str = ""


EVENT_FIELDS = ["kind", "date", "title", "place", "topics", "officials", "minutes"]


def _clean_event(ctx: Ctx, data: EventInput) -> EventInput:
    if data.kind not in EventKind.values:
        raise ValidationFailed(_("请选择活动类型。"), code="bad_kind")
    if data.date is None:
        raise ValidationFailed(_("请填写活动日期。"), code="date_required")
    if data.date > ctx.today + datetime.timedelta(days=366):
        raise ValidationFailed(_("活动日期不能晚于一年以后。"), code="date_too_late")
    title = _text(data.title, _("请填写活动主题。"), code="title_required", limit=TITLE_MAX)
    minutes = _text(data.minutes, "", code="minutes", limit=CONTENT_MAX, required=False)
    if minutes and data.date > ctx.today:
        raise ValidationFailed(_("活动还没有举行，不能填写纪要。"), code="minutes_before_event")
    return EventInput(
        kind=data.kind,
        date=data.date,
        title=title,
        place=_text(data.place, "", code="place", limit=200, required=False),
        topics=_text(data.topics, "", code="topics", limit=TEXT_MAX, required=False),
        deputies=_deputies(ctx, data.deputies, data.date),
        officials=_text(data.officials, "", code="officials", limit=500, required=False),
        minutes=minutes,
    )


def _event_snapshot(event: StationEvent) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(event, name) for name in EVENT_FIELDS}
    data["date"] = event.date.isoformat()
    data["deputies"] = sorted(event.deputies.values_list("pk", flat=True)) if event.pk else []
    return data


@transaction.atomic
def do_record_event(
    station: LiaisonStation, *, actor: Actor, data: EventInput, photos: Sequence[File] = ()
) -> StationEvent:
    """Record an event of `station` (室点问政, 局长·代表面对面, 接待选民, 视察调研) with its deputies,
    officials, topics, minutes and photos. The station's liaison clerks and the congress staff."""
    station = LiaisonStation.objects.select_related("congress").get(pk=station.pk)
    ctx = Ctx(actor=actor, congress=station.congress)
    authorize(ctx, "intake.manage_station", station, _("只有本站联络站工作人员或代表工委可以登记活动。"))
    if not station.active:
        raise ValidationFailed(_("联络站“%(s)s”已停用。") % {"s": station}, code="inactive")
    data = _clean_event(ctx, data)
    _check_photos(photos)
    event = StationEvent(congress=ctx.congress, station=station, recorded_by=actor)
    for name in EVENT_FIELDS:
        setattr(event, name, getattr(data, name))
    event.save()
    event.deputies.set(data.deputies)
    record(ctx, "intake.event.recorded", event, new={"station": station.pk, **_event_snapshot(event)})
    for upload in photos:
        _store_photo(ctx, event=event, opinion=None, upload=upload, name=None)
    return event


@transaction.atomic
def do_update_event(
    event: StationEvent, *, actor: Actor, data: EventInput, photos: Sequence[File] = ()
) -> StationEvent:
    """Change an event (e.g. add the minutes afterwards); records the old and new value of every
    changed field."""
    event = (
        StationEvent.objects.select_for_update(of=("self",))
        .select_related("station__congress")
        .get(pk=event.pk)
    )
    ctx = Ctx(actor=actor, congress=event.station.congress)
    authorize(
        ctx, "intake.manage_station", event.station, _("只有本站联络站工作人员或代表工委可以修改活动。")
    )
    data = _clean_event(ctx, data)
    if data.date != event.date and event.opinions.filter(collected_on__lt=data.date).exists():
        raise ValidationFailed(
            _("该活动已登记的意见收集日期早于新的活动日期。"), code="opinions_before_event"
        )
    _check_photos(photos)
    before = _event_snapshot(event)
    for name in EVENT_FIELDS:
        setattr(event, name, getattr(data, name))
    event.save()
    event.deputies.set(data.deputies)
    after = _event_snapshot(event)
    changed = [k for k in after if before[k] != after[k]]
    if changed:
        record(
            ctx,
            "intake.event.updated",
            event,
            old={k: before[k] for k in changed},
            new={k: after[k] for k in changed},
        )
    for upload in photos:
        _store_photo(ctx, event=event, opinion=None, upload=upload, name=None)
    return event


@transaction.atomic
def do_record_duty_day(
    station: LiaisonStation,
    *,
    actor: User,
    date: datetime.date,
    deputies: Sequence[Deputy] = (),
    notes: str = "",
) -> DutyDay:
    """Record a duty day (坐班日) of `station` and the deputies on duty. One per station and day."""
    station = LiaisonStation.objects.select_related("congress").get(pk=station.pk)
    ctx = Ctx(actor=actor, congress=station.congress)
    authorize(ctx, "intake.manage_station", station, _("只有本站联络站工作人员或代表工委可以登记坐班日。"))
    if not station.active:
        raise ValidationFailed(_("联络站“%(s)s”已停用。") % {"s": station}, code="inactive")
    if date is None:
        raise ValidationFailed(_("请填写坐班日期。"), code="date_required")
    if date > ctx.today + datetime.timedelta(days=366):
        raise ValidationFailed(_("坐班日期不能晚于一年以后。"), code="date_too_late")
    chosen = _deputies(ctx, deputies, date)
    if not chosen:
        raise ValidationFailed(_("请选择坐班代表。"), code="deputies_required")
    if DutyDay.objects.filter(station=station, date=date).exists():
        raise ValidationFailed(
            _("%(day)s已登记为本站坐班日。") % {"day": date.isoformat()}, code="duty_day_exists"
        )
    duty = DutyDay.objects.create(
        congress=ctx.congress,
        station=station,
        date=date,
        notes=_text(notes, "", code="notes", required=False),
        recorded_by=actor,
    )
    duty.deputies.set(chosen)
    record(
        ctx,
        "intake.duty_day.recorded",
        duty,
        new={
            "station": station.pk,
            "date": date.isoformat(),
            "deputies": sorted(d.pk for d in chosen),
            "notes": duty.notes,
        },
    )
    return duty


# --- opinions --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpinionInput:
    """What is written down about one voter's concern. `station`, `event`, `deputy` and `category` are
    rows of the congress; the constituent's name and phone are optional."""

    content: str
    collected_on: datetime.date | None = None
    station: LiaisonStation | None = None
    event: StationEvent | None = None
    place: str = ""
    category: Category | None = None
    constituent_name: str = ""
    constituent_phone: str = ""
    deputy: Deputy | None = None


@transaction.atomic
def do_record_opinion(  # noqa: C901, PLR0912
    congress: Congress, *, actor: Actor, data: OpinionInput, photos: Sequence[File] = ()
) -> Opinion:
    """Record a voter's opinion (社情民意). A liaison clerk records it at their station (optionally at
    one of its events, and for a deputy who will be responsible for it); a deputy records it for
    themself, at any station or none. The collection date defaults to the event's date, else today."""
    ctx = Ctx(actor=actor, congress=congress)
    roles = roles_of(actor, congress)
    if not roles:
        raise NotPermitted(_("只有联络站工作人员或代表可以登记社情民意。"))
    station, event = data.station, data.event
    if event is not None:
        same_congress(ctx, event, _("活动"))
        if station is not None and station.pk != event.station_id:
            raise ValidationFailed(_("所选活动不属于所选联络站。"), code="event_not_at_station")
        station = event.station
    same_congress(ctx, station, _("联络站"))
    own_deputy = deputy_of(actor, congress)
    clerk_here = station is not None and station.pk in station_ids(actor, congress)
    if clerk_here:
        deputy = data.deputy
    elif own_deputy is not None:
        if data.deputy is not None and data.deputy.pk != own_deputy.pk:
            raise NotPermitted(_("代表只能登记由自己负责的意见。"), code="not_own_deputy")
        deputy = own_deputy
    else:
        raise NotPermitted(_("只有本站联络站工作人员或代表可以在此登记社情民意。"))
    if station is not None and not station.active:
        raise ValidationFailed(_("联络站“%(s)s”已停用。") % {"s": station}, code="inactive")
    if event is not None and event.date > ctx.today:
        raise ValidationFailed(_("该活动还没有举行。"), code="event_in_future")
    collected_on = data.collected_on or (event.date if event is not None else ctx.today)
    if collected_on > ctx.today:
        raise ValidationFailed(_("收集日期不能晚于今天。"), code="collected_in_future")
    if event is not None and collected_on < event.date:
        raise ValidationFailed(_("收集日期不能早于活动日期。"), code="collected_before_event")
    if deputy is not None:
        same_congress(ctx, deputy, _("代表"))
        if not deputy.in_office_on(collected_on):
            raise ValidationFailed(_("%(d)s不在代表任期内。") % {"d": deputy.name}, code="not_in_office")
    _active(ctx, data.category, _("分类"))
    name = _text(data.constituent_name, "", code="constituent_name", limit=64, required=False)
    phone = "".join((data.constituent_phone or "").split())
    if phone:
        try:
            phone_validator(phone)
        except DjangoValidationError:
            raise ValidationFailed(
                _("反映人电话格式不正确：请填写11位手机号码，或带区号的固定电话。"), code="bad_phone"
            ) from None
    opinion = Opinion(
        congress=congress,
        station=station,
        event=event,
        collected_on=collected_on,
        place=_text(data.place, "", code="place", limit=200, required=False)
        or (event.place if event is not None else ""),
        content=_text(data.content, _("请填写意见内容。"), code="content_required", limit=CONTENT_MAX),
        category=data.category,
        constituent_name=name,
        constituent_phone=phone,
        recorded_by=actor,
        deputy=deputy,
        state=OS.OPEN,
        state_changed_at=ctx.now,
        tracking_code=new_tracking_code(congress) if phone else "",
    )
    _check_move(ctx, INITIAL, "record")
    _check_photos(photos)
    opinion.save()
    record(
        ctx,
        "intake.opinion.recorded",
        opinion,
        new={"state": OS.OPEN, **_opinion_snapshot(opinion)},
        target_user=deputy.user if deputy is not None else None,
    )
    _send_tracking_code(ctx, opinion)
    for upload in photos:
        _store_photo(ctx, event=None, opinion=opinion, upload=upload, name=None)
    return opinion


@transaction.atomic
def do_refer_opinion(opinion: Opinion, *, actor: Actor, deputy: Deputy) -> Opinion:
    """A liaison clerk of the station gives an open opinion to a deputy, who may then adopt it."""
    opinion = _lock(opinion)
    ctx = Ctx(actor=actor, congress=opinion.congress)
    authorize(ctx, "intake.refer", opinion, _("只有本站联络站工作人员可以把意见交给代表。"))
    transition = _check_move(ctx, opinion.state, "refer")
    if deputy is None:
        raise ValidationFailed(_("请选择代表。"), code="deputy_required")
    same_congress(ctx, deputy, _("代表"))
    if not deputy.in_office_on(ctx.today):
        raise ValidationFailed(_("%(d)s已不在代表任期内。") % {"d": deputy.name}, code="not_in_office")
    if deputy.pk == opinion.deputy_id:
        raise ValidationFailed(_("该意见已由%(d)s负责。") % {"d": deputy.name}, code="same_deputy")
    old = opinion.deputy_id
    opinion.deputy = deputy
    opinion.save(update_fields=["deputy", *_move(ctx, opinion, transition)])
    record(
        ctx,
        "intake.opinion.referred",
        opinion,
        old={"deputy": old},
        new={"deputy": deputy.pk},
        target_user=deputy.user,
    )
    return opinion


@transaction.atomic
def do_answer_opinion_on_spot(opinion: Opinion, *, actor: Actor, answer: str) -> Opinion:
    """Answered there and then (当场答复): the station's liaison clerks or the opinion's deputy."""
    opinion = _lock(opinion)
    ctx = Ctx(actor=actor, congress=opinion.congress)
    authorize(ctx, "intake.answer_on_spot", opinion, _("只有本站联络站工作人员或负责代表可以答复该意见。"))
    source = opinion.state
    transition = _check_move(ctx, source, "answer_on_spot")
    opinion.answer = _text(answer, _("请填写答复内容。"), code="answer_required")
    opinion.handled_by = actor
    opinion.save(update_fields=["answer", "handled_by", *_move(ctx, opinion, transition)])
    record(
        ctx,
        "intake.opinion.answered",
        opinion,
        old={"state": source},
        new={"state": opinion.state, "answer": opinion.answer},
    )
    return opinion


@transaction.atomic
def do_forward_opinion(opinion: Opinion, *, actor: Actor, unit: Unit, note: str = "") -> Opinion:
    """Forward an open opinion to a handling unit (转办), which answers it. The unit never sees the
    constituent's contact data."""
    opinion = _lock(opinion)
    ctx = Ctx(actor=actor, congress=opinion.congress)
    authorize(ctx, "intake.forward", opinion, _("只有本站联络站工作人员或负责代表可以转办该意见。"))
    source = opinion.state
    transition = _check_move(ctx, source, "forward")
    if unit is None:
        raise ValidationFailed(_("请选择转办单位。"), code="unit_required")
    _active(ctx, unit, _("转办单位"))
    opinion.forwarded_to = unit
    opinion.forward_note = _text(note, "", code="note", required=False)
    opinion.forwarded_at = ctx.now
    opinion.handled_by = actor
    opinion.unit_answer = ""
    opinion.return_reason = ""
    opinion.save(
        update_fields=[
            "forwarded_to",
            "forward_note",
            "forwarded_at",
            "handled_by",
            "unit_answer",
            "return_reason",
            *_move(ctx, opinion, transition),
        ]
    )
    record(
        ctx,
        "intake.opinion.forwarded",
        opinion,
        old={"state": source},
        new={"state": opinion.state, "unit": unit.pk},
        note=opinion.forward_note,
        unit=unit,
    )
    return opinion


@transaction.atomic
def do_answer_forwarded_opinion(opinion: Opinion, *, actor: Actor, answer: str) -> Opinion:
    """The unit the opinion was forwarded to answers it (its clerks, handlers, leaders)."""
    opinion = _lock(opinion)
    ctx = Ctx(actor=actor, congress=opinion.congress)
    authorize(ctx, "intake.answer_forwarded", opinion, _("只有被转办单位的工作人员可以答复该意见。"))
    source = opinion.state
    transition = _check_move(ctx, source, "answer_forwarded")
    opinion.unit_answer = _text(answer, _("请填写答复内容。"), code="answer_required")
    opinion.unit_answered_by = actor
    opinion.unit_answered_at = ctx.now
    opinion.save(
        update_fields=[
            "unit_answer",
            "unit_answered_by",
            "unit_answered_at",
            *_move(ctx, opinion, transition),
        ]
    )
    record(
        ctx,
        "intake.opinion.unit_answered",
        opinion,
        old={"state": source},
        # station and target_user: who is told (the notification scan reads them)
        new={"state": opinion.state, "answer": opinion.unit_answer, "station": opinion.station_id},
        unit=opinion.forwarded_to,
        target_user=opinion.deputy.user if opinion.deputy is not None else None,
    )
    return opinion


@transaction.atomic
def do_return_forwarded_opinion(opinion: Opinion, *, actor: Actor, reason: str) -> Opinion:
    """The unit gives a forwarded opinion back (not its business), with a reason: it is open again
    at the station."""
    opinion = _lock(opinion)
    ctx = Ctx(actor=actor, congress=opinion.congress)
    authorize(ctx, "intake.return_forwarded", opinion, _("只有被转办单位的工作人员可以退回该意见。"))
    source = opinion.state
    transition = _check_move(ctx, source, "return_forwarded")
    unit = opinion.forwarded_to
    opinion.return_reason = _text(reason, _("请填写退回理由。"), code="reason_required")
    opinion.forwarded_to = None
    opinion.forwarded_at = None
    opinion.save(
        update_fields=["return_reason", "forwarded_to", "forwarded_at", *_move(ctx, opinion, transition)]
    )
    record(
        ctx,
        "intake.opinion.returned",
        opinion,
        old={"state": source, "unit": unit.pk if unit else None},
        new={"state": opinion.state},
        note=opinion.return_reason,
        unit=unit,
    )
    return opinion


@transaction.atomic
def do_merge_opinion(opinion: Opinion, *, actor: Actor, into: Opinion, note: str = "") -> Opinion:
    """The same concern as `into` (合并): `opinion` follows that one's outcome from now on (and its
    constituent can be told it). `into` must be of the same station (or, without a station, of the
    same deputy) and not merged itself."""
    opinion = _lock(opinion)
    ctx = Ctx(actor=actor, congress=opinion.congress)
    authorize(ctx, "intake.merge", opinion, _("只有本站联络站工作人员或负责代表可以合并该意见。"))
    source = opinion.state
    transition = _check_move(ctx, source, "merge")
    if into is None:
        raise ValidationFailed(_("请选择要合并到的意见。"), code="into_required")
    into = Opinion.objects.get(pk=into.pk)
    same_congress(ctx, into, _("意见"))
    if into.pk == opinion.pk:
        raise ValidationFailed(_("不能合并到意见本身。"), code="merge_into_itself")
    if into.state == OS.MERGED:
        raise ValidationFailed(
            _("所选意见本身已合并到其他意见，请选择它所合并到的意见。"), code="into_is_merged"
        )
    same_place = (
        into.station_id == opinion.station_id if opinion.station_id else into.deputy_id == opinion.deputy_id
    )
    if not same_place:
        raise ValidationFailed(_("只能合并到本站（或本代表）登记的意见。"), code="into_elsewhere")
    if root_of(into).pk == opinion.pk:
        raise ValidationFailed(_("不能形成循环合并。"), code="merge_cycle")
    opinion.merged_into = into
    opinion.handled_by = actor
    opinion.save(update_fields=["merged_into", "handled_by", *_move(ctx, opinion, transition)])
    record(
        ctx,
        "intake.opinion.merged",
        opinion,
        old={"state": source},
        new={"state": opinion.state, "into": into.pk},
        note=_text(note, "", code="note", required=False),
    )
    return opinion


@dataclass(frozen=True)
class AdoptionInput:
    """The draft suggestion the deputy makes of the opinion. `facts` defaults to the opinion's
    content, `category` to its category, `channel` to `selectors.default_channel`."""

    title: str
    facts: str | None = None
    proposals: str = ""
    category: Category | None = None
    channel: Channel | None = None
    theme_tags: Sequence[ThemeTag] = ()
    copy_photos: bool = False


@transaction.atomic
def do_adopt_opinion_as_suggestion(opinion: Opinion, *, actor: Actor, data: AdoptionInput) -> Suggestion:
    """The opinion's deputy turns it into a suggestion draft (through the suggestion actions, so the
    draft is audited and checked like any other): the deputy leads it, its channel is a grassroots
    one, its collection date is the opinion's, and the opinion keeps the link. The deputy then
    completes and submits the draft on the suggestion pages."""
    opinion = _lock(opinion)
    ctx = Ctx(actor=actor, congress=opinion.congress)
    authorize(ctx, "intake.adopt", opinion, _("只有负责该意见的代表本人可以据此形成建议。"))
    source = opinion.state
    transition = _check_move(ctx, source, "adopt")
    channel = data.channel if data.channel is not None else default_channel(opinion)
    if channel is None:
        raise ValidationFailed(
            _("本人大还没有启用的基层收集渠道，请人大管理员在“办理规则 · 收集渠道”中添加。"),
            code="no_grassroots_channel",
        )
    same_congress(ctx, channel, _("收集渠道"))
    if not channel.grassroots:
        raise ValidationFailed(_("由社情民意形成的建议须选择基层收集渠道。"), code="channel_not_grassroots")
    facts = opinion.content if data.facts is None else data.facts
    suggestion = suggestion_actions.do_create_suggestion(
        ctx.congress,
        actor=actor,
        lead=opinion.deputy,
        content=suggestion_actions.SuggestionContent(
            title=data.title,
            facts=facts,
            proposals=data.proposals,
            category=data.category if data.category is not None else opinion.category,
            theme_tags=list(data.theme_tags),
            channel=channel,
            collected_on=opinion.collected_on,
        ),
    )
    opinion.suggestion = suggestion
    opinion.adopted_at = ctx.now
    opinion.handled_by = actor
    opinion.save(update_fields=["suggestion", "adopted_at", "handled_by", *_move(ctx, opinion, transition)])
    record(
        ctx,
        "intake.opinion.adopted",
        opinion,
        old={"state": source},
        new={
            "state": opinion.state,
            "suggestion": suggestion.pk,
            "channel": channel.pk,
            "collected_on": opinion.collected_on.isoformat(),
        },
        suggestion=suggestion,
    )
    if data.copy_photos:
        for photo in opinion.photos.all():
            with photo.file.open("rb") as handle:
                suggestion_actions.do_add_attachment(
                    suggestion, actor=actor, upload=File(handle), name=photo.original_name
                )
    return suggestion


@transaction.atomic
def do_notify_constituent_of_outcome(
    opinion: Opinion, *, actor: User, text: str | None = None
) -> OutcomeNotice:
    """Tell the constituent what became of their opinion, by SMS to the phone they gave — once per
    outcome (`selectors.outcome_of`; the notice's key). The station's liaison clerks or the opinion's
    deputy. The message is sent after commit, outside the congress's quiet hours."""
    opinion = _lock(opinion)
    ctx = Ctx(actor=actor, congress=opinion.congress)
    authorize(ctx, "intake.notify", opinion, _("只有本站联络站工作人员或负责代表可以告知反映人。"))
    _check_move(ctx, opinion.state, "notify")
    outcome = outcome_of(opinion)
    if outcome is None:
        raise InvalidTransition(
            _("还没有可以告知反映人的结果：转办单位答复或建议答复签发后才能告知。"), code="no_outcome"
        )
    if not opinion.constituent_phone:
        raise ValidationFailed(_("反映人没有留下电话，无法短信告知。"), code="no_phone")
    if OutcomeNotice.objects.filter(key=outcome.key).exists():
        raise InvalidTransition(_("已就这一结果告知过反映人，不会重复发送。"), code="already_notified")
    message = _text(
        text if text is not None else outcome_text(opinion, outcome),
        _("请填写短信内容。"),
        code="text_required",
        limit=SMS_MAX,
    )
    send_after = delivery.quiet_until(ensure_policy(ctx.congress), ctx.now) or ctx.now
    try:
        with transaction.atomic():
            notice = OutcomeNotice.objects.create(
                key=outcome.key,
                congress=ctx.congress,
                opinion=opinion,
                channel=OutcomeNotice.Channel.SMS,
                text=message,
                send_after=send_after,
                created_by=actor,
                created_at=ctx.now,
            )
    except IntegrityError:
        raise InvalidTransition(
            _("已就这一结果告知过反映人，不会重复发送。"), code="already_notified"
        ) from None
    record(
        ctx,
        "intake.opinion.notified",
        opinion,
        new={
            "notice": notice.pk,
            "key": outcome.key,
            "outcome": outcome.kind,
            "channel": notice.channel,
            "send_after": send_after,
        },
        suggestion=outcome.suggestion,
    )
    delivery.send_after_commit(notice)
    return notice
