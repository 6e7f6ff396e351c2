"""The intake pages below /c/<code>/intake/ (namespace "intake").

Every view goes through `congress_view()` (404 for non-members) and fetches records with the
`selectors.access_*` helpers (404 for missing *and* forbidden). Views validate input with a form,
call one `do_*` action and turn its `DomainError` into a message next to the form (409 for a refused
move, 422 for bad input). Every opinion shown goes through `selectors.for_reader`, so a
constituent's name and phone reach only the pages of those allowed to see them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import rules
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from minyi.audit import events as audit_events
from minyi.audit.models import AuditEvent
from minyi.congress.models import LiaisonStation
from minyi.core.decorators import CongressRequest, congress_view
from minyi.core.list_export import MAX_ROWS, xlsx_download
from minyi.core.pages import form_page, paginate, pick, query_without, serve_file
from minyi.suggestions.selectors import suggestions_visible_to
from minyi.suggestions.views._common import int_or_none

from . import actions as A
from . import selectors
from .forms import (
    AdoptForm,
    AnswerForm,
    DutyDayForm,
    EventForm,
    ForwardForm,
    MergeForm,
    NotifyForm,
    OpinionFilterForm,
    OpinionForm,
    ReferForm,
    ReturnForm,
)
from .models import Opinion, StationEvent
from .rules import OVERSIGHT_ROLES, deputy_of, roles_of, station_ids, unit_ids
from .states import ACTION_LABELS, STATE_COLOURS, transition_for

PER_PAGE = 20
RECENT = 10
EVENT_CHOICE_DAYS = 90


# --- helpers ---------------------------------------------------------------------------------------


def _url(name: str, request: CongressRequest, *args: Any) -> str:
    return reverse(f"intake:{name}", args=[request.congress.code, *args])


def _opinion_rows(request: CongressRequest, opinions: Any) -> list[Opinion]:
    """A page of opinions as the reader may see them, each with `suggestion_visible` (one query)."""
    rows = selectors.for_reader(request.user, opinions)
    ids = [o.suggestion_id for o in rows if o.suggestion_id]
    visible = (
        set(
            suggestions_visible_to(request.user, request.congress)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        if ids
        else set()
    )
    for o in rows:
        o.suggestion_visible = o.suggestion_id in visible  # type: ignore[attr-defined]
        o.colour = STATE_COLOURS.get(o.state, "secondary")  # type: ignore[attr-defined]
    return rows


def _opinion_page(request: CongressRequest, qs: Any):
    page = paginate(request, qs, PER_PAGE)
    page.object_list = _opinion_rows(request, page.object_list)
    return page


def _whoami(request: CongressRequest) -> dict[str, Any]:
    user, congress = request.user, request.congress
    roles = roles_of(user, congress)
    return {
        "my_stations": station_ids(user, congress),
        "my_deputy": deputy_of(user, congress),
        "my_units": unit_ids(user, congress),
        "oversees": bool(roles & OVERSIGHT_ROLES),
    }


def _can_record(request: HttpRequest, who: dict[str, Any]) -> bool:
    return bool(who["my_stations"] or who["my_deputy"] is not None)


# --- stations --------------------------------------------------------------------------------------


@congress_view()
@require_GET
def station_list(request: CongressRequest) -> HttpResponse:
    congress = request.congress
    who = _whoami(request)
    stations = list(selectors.stations_with_counts(congress))
    for s in stations:
        s.mine = s.pk in who["my_stations"]  # type: ignore[attr-defined]
    stations.sort(key=lambda s: (not s.mine, s.name))  # type: ignore[attr-defined]
    return render(
        request,
        "intake/station_list.html",
        {"stations": stations, "who": who, "can_record": _can_record(request, who)},
    )


@congress_view()
@require_GET
def station_detail(request: CongressRequest, pk: int) -> HttpResponse:
    congress = request.congress
    station = selectors.access_station(request.user, congress, pk)
    filters = OpinionFilterForm(request.GET or None)
    values = filters.values() if request.GET else {}
    opinions = selectors.opinion_list(
        request.user, congress, station=station, state=values.get("state"), q=values.get("q")
    )
    who = _whoami(request)
    return render(
        request,
        "intake/station_detail.html",
        {
            "station": station,
            "events": list(selectors.events_of(station)[:RECENT]),
            "duty_days": list(selectors.duty_days_of(station)[:RECENT]),
            "page": _opinion_page(request, opinions),
            "querystring": query_without(request, "page"),
            "filter_form": filters,
            "can_manage": rules.has_perm("intake.manage_station", request.user, station),
            "can_record": rules.has_perm("intake.record_opinion_at", request.user, station),
            "who": who,
        },
    )


@congress_view()
@require_GET
def event_list(request: CongressRequest, pk: int) -> HttpResponse:
    station = selectors.access_station(request.user, request.congress, pk)
    return render(
        request,
        "intake/event_list.html",
        {
            "station": station,
            "page": paginate(request, selectors.events_of(station), PER_PAGE),
            "querystring": query_without(request, "page"),
            "can_manage": rules.has_perm("intake.manage_station", request.user, station),
        },
    )


def _event_input(data: dict[str, Any]) -> A.EventInput:
    return A.EventInput(
        **pick(data, "kind", "date", "title", "place", "topics", "officials", "minutes"),
        deputies=list(data["deputies"]),
    )


def _event_form_page(
    request: CongressRequest,
    station: LiaisonStation,
    *,
    initial: Callable[[], dict[str, Any]],
    save: Callable[..., Any],
    event: StationEvent | None = None,
    **submit: Any,
) -> HttpResponse:
    """The form of one of a station's events, new or `event`: `initial()` fills it on GET, and
    `save(data=EventInput, photos=[...])` is the action."""
    congress = request.congress
    if request.method == "POST":
        form = EventForm(request.POST, request.FILES, congress=congress)
    else:
        form = EventForm(congress=congress, initial=initial())
    context = {"form": form, "station": station, **({"event": event} if event is not None else {})}
    return form_page(
        request,
        form,
        run=lambda data: save(data=_event_input(data), photos=data["photos"]),
        page=lambda status: render(request, "intake/event_form.html", context, status=status),
        **submit,
    )


@congress_view()
@require_http_methods(["GET", "POST"])
def event_create(request: CongressRequest, pk: int) -> HttpResponse:
    congress = request.congress
    station = selectors.access_station(request.user, congress, pk, perm="intake.manage_station")
    return _event_form_page(
        request,
        station,
        initial=lambda: {"date": timezone.localdate(), "place": station.address, "kind": "face_to_face"},
        save=lambda **inputs: A.do_record_event(station, actor=request.user, **inputs),
        success=_("活动已登记。"),
        next=lambda event: _url("event", request, event.pk),
    )


@congress_view()
@require_http_methods(["GET", "POST"])
def event_edit(request: CongressRequest, pk: int) -> HttpResponse:
    congress = request.congress
    event = selectors.access_event(request.user, congress, pk)
    station = event.station
    if not rules.has_perm("intake.manage_station", request.user, station):
        raise Http404("not permitted")
    return _event_form_page(
        request,
        station,
        event=event,
        initial=lambda: {
            **{name: getattr(event, name) for name in A.EVENT_FIELDS},
            "deputies": list(event.deputies.all()),
        },
        save=lambda **inputs: A.do_update_event(event, actor=request.user, **inputs),
        success=_("活动已保存。"),
        next=_url("event", request, event.pk),
    )


@congress_view()
@require_GET
def event_detail(request: CongressRequest, pk: int) -> HttpResponse:
    congress = request.congress
    event = selectors.access_event(request.user, congress, pk)
    opinions = selectors.opinion_list(request.user, congress, event=event)
    return render(
        request,
        "intake/event_detail.html",
        {
            "event": event,
            "station": event.station,
            "deputies": list(event.deputies.all()),
            "photos": list(event.photos.all()),
            "page": _opinion_page(request, opinions),
            "querystring": query_without(request, "page"),
            "opinion_total": event.opinions.count(),
            "can_manage": rules.has_perm("intake.manage_station", request.user, event.station),
            "can_record": rules.has_perm("intake.record_opinion_at", request.user, event.station),
        },
    )


@congress_view()
@require_http_methods(["GET", "POST"])
def duty_day_create(request: CongressRequest, pk: int) -> HttpResponse:
    congress = request.congress
    station = selectors.access_station(request.user, congress, pk, perm="intake.manage_station")
    if request.method == "POST":
        form = DutyDayForm(request.POST, congress=congress)
    else:
        form = DutyDayForm(congress=congress, initial={"date": timezone.localdate()})
    return form_page(
        request,
        form,
        run=lambda data: A.do_record_duty_day(
            station, actor=request.user, **pick(data, "date", "notes"), deputies=list(data["deputies"])
        ),
        fields={"duty_day_exists": "date"},
        success=_("坐班日已登记。"),
        next=_url("station", request, station.pk),
        page=lambda status: render(
            request, "intake/duty_day_form.html", {"form": form, "station": station}, status=status
        ),
    )


# --- opinions --------------------------------------------------------------------------------------


def _opinion_input(data: dict[str, Any]) -> A.OpinionInput:
    return A.OpinionInput(
        **pick(
            data,
            "content",
            "collected_on",
            "station",
            "event",
            "place",
            "category",
            "constituent_name",
            "constituent_phone",
        ),
        deputy=data.get("deputy"),
    )


#: an error code of `do_record_opinion` → the field it is about
OPINION_ERROR_FIELDS = {
    "bad_phone": "constituent_phone",
    "collected_in_future": "collected_on",
    "collected_before_event": "collected_on",
    "event_not_at_station": "event",
    "event_in_future": "event",
    "content_required": "content",
    "file_type": "photos",
    "file_too_large": "photos",
    "file_empty": "photos",
}


def _recorded_message(opinion: Opinion) -> str:
    if opinion.tracking_code:
        return _("社情民意已登记（编号 #%(pk)s），查询码 %(code)s：请打印回执交给反映人。") % {
            "pk": opinion.pk,
            "code": opinion.tracking_display,
        }
    return _("社情民意已登记（编号 #%(pk)s）。") % {"pk": opinion.pk}


@congress_view()
@require_http_methods(["GET", "POST"])
def opinion_create(request: CongressRequest) -> HttpResponse:
    """社情民意登记 — by a liaison clerk (their stations, for a deputy if they like) or a deputy
    (for themself, at any station or none)."""
    congress = request.congress
    who = _whoami(request)
    if not _can_record(request, who):
        raise Http404("not permitted")
    is_deputy = who["my_deputy"] is not None
    stations = LiaisonStation.objects.filter(congress=congress, active=True).order_by("name")
    if not is_deputy:
        stations = stations.filter(pk__in=who["my_stations"])
    today = timezone.localdate()
    events = (
        StationEvent.objects.filter(
            station__in=stations,
            date__lte=today,
            date__gte=today - datetime.timedelta(days=EVENT_CHOICE_DAYS),
        )
        .select_related("station")
        .order_by("-date", "-id")
    )
    preset_event = None
    if (event_id := int_or_none(request.GET.get("event"))) is not None:
        preset_event = events.filter(pk=event_id).first()
    preset_station = None
    if preset_event is not None:
        preset_station = preset_event.station
    elif (station_id := int_or_none(request.GET.get("station"))) is not None:
        preset_station = stations.filter(pk=station_id).first()
    elif len(who["my_stations"]) == 1:
        preset_station = stations.filter(pk__in=who["my_stations"]).first()
    opinion_form = partial(
        OpinionForm,
        congress=congress,
        stations=stations,
        events=events,
        choose_deputy=bool(who["my_stations"]),
        station_required=not is_deputy,
    )
    back = _url("station", request, preset_station.pk) if preset_station else _url("stations", request)
    if request.method == "POST":
        form = opinion_form(request.POST, request.FILES)
        return form_page(
            request,
            form,
            run=lambda data: A.do_record_opinion(
                congress, actor=request.user, data=_opinion_input(data), photos=data["photos"]
            ),
            fields=OPINION_ERROR_FIELDS,
            success=_recorded_message,
            next=lambda opinion: _url("opinion", request, opinion.pk),
            page=lambda status: render(
                request, "intake/opinion_form.html", {"form": form, "back_url": back}, status=status
            ),
        )
    initial: dict[str, Any] = {"collected_on": preset_event.date if preset_event else today}
    if preset_station is not None:
        initial["station"] = preset_station
        initial["place"] = (
            preset_event.place if preset_event and preset_event.place else preset_station.address
        )
    if preset_event is not None:
        initial["event"] = preset_event
    form = opinion_form(initial=initial)
    return render(
        request, "intake/opinion_form.html", {"form": form, "back_url": back, "preset_event": preset_event}
    )


def _list(request: CongressRequest, *, scope: str, title: Promise | str, **filters: Any) -> HttpResponse:
    congress = request.congress
    form = OpinionFilterForm(request.GET or None)
    values = form.values() if request.GET else {}
    qs = selectors.opinion_list(
        request.user, congress, state=values.get("state"), q=values.get("q"), **filters
    )
    if request.GET.get("format") == "xlsx":
        return _list_xlsx(request, scope, title, qs)
    return render(
        request,
        "intake/opinion_list.html",
        {
            "scope": scope,
            "title": title,
            "page": _opinion_page(request, qs),
            "querystring": query_without(request, "page"),
            "filter_form": form,
            "who": _whoami(request),
        },
    )


def _list_xlsx(request: CongressRequest, scope: str, title: Promise | str, qs: Any) -> HttpResponse:
    """The list (its filters, every page) as Excel (issue #12): what the list shows the reader —
    never the constituent's name or contact data, which stay on the opinion's own page."""
    rows = (
        [
            o.pk,
            o.collected_on,
            o.content,
            str(o.category or ""),
            str(o.station or ""),
            o.event.title if o.event is not None else "",
            o.get_state_display(),
        ]
        for o in _opinion_rows(request, qs[:MAX_ROWS])
    )
    headers = [_("编号"), _("收集日期"), _("意见内容"), _("分类"), _("联络站"), _("活动"), _("处理状态")]
    return xlsx_download(request, what=f"opinions:{scope}", title=str(title), headers=headers, rows=rows)


@congress_view()
@require_GET
def opinion_list(request: CongressRequest) -> HttpResponse:
    """Every opinion the user may see (the congress staff: all of them)."""
    return _list(request, scope="all", title=gettext_lazy("社情民意"))


@congress_view()
@require_GET
def my_opinions(request: CongressRequest) -> HttpResponse:
    """A deputy's own opinions (the ones they are responsible for)."""
    deputy = deputy_of(request.user, request.congress)
    if deputy is None:
        raise Http404("not a deputy")
    return _list(request, scope="mine", title=gettext_lazy("我的社情民意"), deputy=deputy)


@congress_view()
@require_GET
def forwarded_opinions(request: CongressRequest) -> HttpResponse:
    """The opinions forwarded to the user's unit(s)."""
    units = unit_ids(request.user, request.congress)
    if not units:
        raise Http404("not a unit member")
    return _list(request, scope="forwarded", title=gettext_lazy("转办给本单位的社情民意"), unit__in=units)


def _history(opinion: Opinion) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="intake.opinion", object_id=str(opinion.pk))
        .select_related("actor", "unit")
        .order_by("seq")
    )


@congress_view()
@require_GET
def opinion_detail(request: CongressRequest, pk: int) -> HttpResponse:
    congress = request.congress
    opinion = selectors.access_opinion(request.user, congress, pk)
    rows = _opinion_rows(request, [opinion])
    opinion = rows[0]
    merged = _opinion_rows(request, opinion.merged.select_related("station", "deputy").order_by("id"))
    root = selectors.root_of(opinion) if opinion.merged_into_id else None
    history = _history(opinion)
    for event in history:
        event.label = audit_events.label_of(event.code)  # type: ignore[attr-defined]
    moves = selectors.available_moves(request.user, opinion)
    return render(
        request,
        "intake/opinion_detail.html",
        {
            "o": opinion,
            "photos": list(opinion.photos.all()),
            "merged": merged,
            "root": root,
            "moves": moves,
            "notices": list(selectors.notices_of(opinion)),
            "history": history,
            "outcome": selectors.outcome_of(opinion) if opinion.show_contact else None,  # type: ignore[attr-defined]
            "can_add_more": opinion.event is not None
            and rules.has_perm("intake.record_opinion_at", request.user, opinion.event.station),
        },
    )


# --- disposition steps -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    action: str
    form: type[forms.Form]
    run: Callable[[CongressRequest, Opinion, dict[str, Any]], Any]
    done: Promise
    help: Promise | str = ""
    confirm: Promise | str = ""
    form_kwargs: Callable[[Opinion], dict[str, Any]] = field(default=lambda o: {"opinion": o})
    initial: Callable[[Opinion], dict[str, Any]] = field(default=lambda o: {})
    field_errors: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> Promise:
        return ACTION_LABELS[self.action]


def _adopt_title(opinion: Opinion) -> str:
    text = " ".join(opinion.content.split())
    for stop in "。！？；\n":
        text = text.split(stop)[0]
    return text[:60]


def _adopt(request: CongressRequest, opinion: Opinion, data: dict[str, Any]) -> Any:
    return A.do_adopt_opinion_as_suggestion(
        opinion,
        actor=request.user,
        data=A.AdoptionInput(
            **pick(data, "title", "facts", "proposals", "category", "channel", "copy_photos"),
            theme_tags=list(data["theme_tags"]),
        ),
    )


def _notify_initial(opinion: Opinion) -> dict[str, Any]:
    outcome = selectors.outcome_of(opinion)
    return {"text": selectors.outcome_text(opinion, outcome)} if outcome else {}


STEPS: dict[str, Step] = {
    "refer": Step(
        "refer",
        ReferForm,
        lambda r, o, d: A.do_refer_opinion(o, actor=r.user, deputy=d["deputy"]),
        gettext_lazy("已交给代表处理。"),
        help=gettext_lazy("交给代表后，该代表可以在“我的社情民意”中看到它，并据此形成建议。"),
    ),
    "answer_on_spot": Step(
        "answer_on_spot",
        AnswerForm,
        lambda r, o, d: A.do_answer_opinion_on_spot(o, actor=r.user, answer=d["answer"]),
        gettext_lazy("已记录当场答复。"),
        help=gettext_lazy("记录当场向反映人作出的答复；答复后该意见办结。"),
        confirm=gettext_lazy("确认该意见已当场答复并办结？"),
        field_errors={"answer_required": "answer"},
    ),
    "forward": Step(
        "forward",
        ForwardForm,
        lambda r, o, d: A.do_forward_opinion(o, actor=r.user, unit=d["unit"], note=d["note"]),
        gettext_lazy("已转办。"),
        help=gettext_lazy("转办单位看得到意见内容，看不到反映人的姓名和电话。"),
        confirm=gettext_lazy("确认转办给所选单位？"),
    ),
    "answer_forwarded": Step(
        "answer_forwarded",
        AnswerForm,
        lambda r, o, d: A.do_answer_forwarded_opinion(o, actor=r.user, answer=d["answer"]),
        gettext_lazy("已答复。"),
        help=gettext_lazy("答复将由联络站或代表告知反映人。"),
        confirm=gettext_lazy("确认提交答复？提交后不能修改。"),
        field_errors={"answer_required": "answer"},
    ),
    "return_forwarded": Step(
        "return_forwarded",
        ReturnForm,
        lambda r, o, d: A.do_return_forwarded_opinion(o, actor=r.user, reason=d["reason"]),
        gettext_lazy("已退回联络站。"),
        help=gettext_lazy("不属于本单位职责的，请说明理由退回，由联络站另行处理。"),
        confirm=gettext_lazy("确认退回该意见？"),
    ),
    "merge": Step(
        "merge",
        MergeForm,
        lambda r, o, d: A.do_merge_opinion(o, actor=r.user, into=d["into"], note=d["note"]),
        gettext_lazy("已合并。"),
        help=gettext_lazy(
            "与另一条意见反映的是同一问题时合并；合并后随那条意见一并处理，结果同样可以告知反映人。"
        ),
        confirm=gettext_lazy("确认合并？合并后不能撤销。"),
        form_kwargs=lambda o: {"opinion": o, "targets": selectors.merge_targets(o)},
    ),
    "adopt": Step(
        "adopt",
        AdoptForm,
        _adopt,
        gettext_lazy("已形成建议草稿，请完善后提交。"),
        help=gettext_lazy(
            "将生成一份由您领衔的建议草稿，收集渠道和收集日期来自这条意见；当天提交计入“当日上传率”。"
        ),
        form_kwargs=lambda o: {"opinion": o, "channels": selectors.grassroots_channels(o.congress)},
        initial=lambda o: {
            "title": _adopt_title(o),
            "facts": o.content,
            "category": o.category,
            "channel": selectors.default_channel(o),
        },
        field_errors={
            "title_required": "title",
            "title_too_long": "title",
            "no_grassroots_channel": "channel",
        },
    ),
    "notify": Step(
        "notify",
        NotifyForm,
        lambda r, o, d: A.do_notify_constituent_of_outcome(o, actor=r.user, text=d["text"]),
        gettext_lazy("短信已提交发送。"),
        help=gettext_lazy("把办理结果告知反映人；同一结果只发送一次，免打扰时段内提交的将在时段结束后发送。"),
        confirm=gettext_lazy("确认向反映人发送短信？"),
        initial=_notify_initial,
        field_errors={"text_required": "text", "text_too_long": "text"},
    ),
}


@congress_view()
@require_http_methods(["GET", "POST"])
def opinion_step(request: CongressRequest, pk: int, action: str) -> HttpResponse:
    step = STEPS.get(action)
    if step is None:
        raise Http404("no such step")
    congress = request.congress
    opinion = selectors.access_opinion(request.user, congress, pk, perm=f"intake.{action}")
    detail_url = _url("opinion", request, opinion.pk)
    if transition_for(opinion.state, action) is None:
        messages.error(
            request,
            _("该意见当前为“%(state)s”，不能%(action)s。")
            % {"state": opinion.get_state_display(), "action": step.title},
        )
        return redirect(detail_url)
    context: dict[str, Any] = {"o": opinion, "step": step, "back_url": detail_url}
    if action == "notify":
        blocker = selectors.notify_blocker(opinion)
        if request.method == "GET" and blocker is not None:
            messages.error(request, blocker)
            return redirect(detail_url)
        context["outcome"] = selectors.outcome_of(opinion)
        context["notices"] = list(selectors.notices_of(opinion))
    if request.method == "POST":
        form = step.form(request.POST, request.FILES, **step.form_kwargs(opinion))
    else:
        form = step.form(initial=step.initial(opinion), **step.form_kwargs(opinion))
    return form_page(
        request,
        form,
        run=lambda data: step.run(request, opinion, data),
        fields=step.field_errors,
        failed=_("未能完成，请按提示修改后再提交。"),
        success=str(step.done),
        next=(lambda suggestion: reverse("suggestions:detail", args=[congress.code, suggestion.pk]))
        if action == "adopt"
        else detail_url,
        page=lambda status: render(request, "intake/step.html", {**context, "form": form}, status=status),
    )


# --- photos ----------------------------------------------------------------------------------------


@congress_view()
@require_GET
def photo(request: CongressRequest, pk: int) -> FileResponse:
    item = selectors.access_photo(request.user, request.congress, pk)
    return serve_file(request, item, item.file, as_attachment=False, content_type=item.content_type)


# --- the printed slip (回执) -------------------------------------------------------------------------


@congress_view()
@require_GET
def opinion_slip(request: CongressRequest, pk: int) -> HttpResponse:
    """回执: the slip the station prints for the resident — congress, station, date, the tracking code
    in large type, the public address and how to use it, and a summary without name or phone. For
    those who may see the opinion *and* its contact data (the station's liaison clerks, the opinion's
    deputy: the code is half of the resident's key), 404 for everybody else and for an opinion
    without a code."""
    opinion = selectors.access_opinion(request.user, request.congress, pk, perm="intake.view_contact")
    if not opinion.tracking_code:
        raise Http404("no tracking code")
    return render(
        request,
        "intake/slip.html",
        {
            "o": opinion,
            "congress": request.congress,
            "summary": selectors.slip_summary(opinion),
            "track_url": request.build_absolute_uri(selectors.tracking_path(request.congress))
            if not settings.MINYI_SITE_URL
            else selectors.tracking_address(request.congress),
        },
    )
