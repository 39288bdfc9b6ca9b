"""Every kind of refusal: its code, HTTP status, input field and English message (the msgid
of its translations in ``queue_app/locale``). Raised with the message's parameters, e.g.
``NoSuchTicket(number="A001")``; the edges render it in the reader's language."""

from __future__ import annotations

from queue_app.domain.errors import N_, Refused

BAD_INPUT, NOT_SIGNED_IN, FORBIDDEN, NOT_FOUND, CONFLICT = 422, 401, 403, 404, 409
TOO_LARGE, TOO_MANY = 413, 429
SERVER_FAILED, UNAVAILABLE = 500, 503


# ------------------------------------------------------------------ who may act
class NotSignedIn(Refused):
    code, status, field = "not_signed_in", NOT_SIGNED_IN, "Authorization"
    message = N_("Sign in first (Authorization: Bearer <token>)")


class SessionExpired(NotSignedIn):
    message = N_("The sign-in token is unknown or has expired: sign in again")


class BadCredentials(Refused):
    code, status, field = "bad_credentials", NOT_SIGNED_IN, "password"
    message = N_("Wrong username or password, or the account is disabled")


class BodyTooLarge(Refused):
    code, status, field = "body_too_large", TOO_LARGE, "body"
    message = N_("The request body is larger than {most} KiB: nothing was read or changed")


class SignInLocked(Refused):
    code, status, field = "sign_in_locked", TOO_MANY, "password"
    message = N_("Too many failed sign-ins: try again in {seconds} s")

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.params["seconds"])}


class TooManyStreams(Refused):
    """The anonymous live-event streams are at their cap (staff streams have their own)."""

    code, status = "too_many_streams", UNAVAILABLE
    message = N_("Too many live event streams are open: try again in {seconds} s")

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.params["seconds"])}


class TooManyStreamsFromAddress(TooManyStreams):
    message = N_("Too many live event streams are open from this address: try again in {seconds} s")


class TooManyStaffStreams(TooManyStreams):
    message = N_("Too many signed-in live event streams are open: try again in {seconds} s")


class Forbidden(Refused):
    code, status, field = "forbidden", FORBIDDEN, "Authorization"
    message = N_("A {role} account may not do this (it needs {roles})")


class NotYourWindow(Forbidden):
    field = "window"
    message = N_("A {role} account may not operate window {window}")


class OtherWindowsClerk(Forbidden):
    field = "window"
    message = N_("A clerk signed in at window {own} may not operate window {window}")


class RaterOnlyRates(Forbidden):
    message = N_("A rating tablet may only rate the visit just finished at its window ({window})")


class SeatTaken(Refused):
    code, status, field = "seat_taken", CONFLICT, "window"
    message = N_(
        "{username} is signed in at window {window}: they sign out first, or a manager "
        "releases the seat"
    )


class WindowNotAllowed(Forbidden):
    code, field = "window_not_allowed", "window"
    message = N_("The account {username} may sit only at windows {allowed}, not at {window}")


class NoOneSeated(Refused):
    code, status, field = "no_one_seated", CONFLICT, "window"
    message = N_("No one is signed in at window {window}")


class BadWindowList(Refused):
    code, status, field = "bad_window_list", BAD_INPUT, "windows"
    message = N_('"{said}" is not a list of windows: write numbers and ranges, e.g. 1-5,8')


class BadMobile(Refused):
    code, status, field = "bad_mobile", BAD_INPUT, "mobile"
    message = N_('"{said}" is not a mainland mobile number: 11 digits from 1, e.g. 13812341234')


class WindowRequired(Refused):
    code, status, field = "window_required", BAD_INPUT, "window"
    message = N_("A clerk or a rating tablet signs in at a window: give its number")


# ------------------------------------------------------------------ staff accounts
class BadUsername(Refused):
    code, status, field = "bad_username", BAD_INPUT, "username"
    message = N_("A username has 2 to 40 small letters, digits, _ . or -, and starts with a letter")


class WeakPassword(Refused):
    code, status, field = "weak_password", BAD_INPUT, "password"
    message = N_("A password needs at least {least} characters")


class BadRole(Refused):
    code, status, field = "bad_role", BAD_INPUT, "role"
    message = N_(
        'Unknown role "{role}": expected desk, clerk, manager, display, city, kiosk or rater'
    )


class StaffExists(Refused):
    code, status, field = "staff_exists", CONFLICT, "username"
    message = N_("The account {username} exists already")


class NoSuchStaff(Refused):
    code, status, field = "no_such_staff", NOT_FOUND, "username"
    message = N_("There is no account {username}")


# ------------------------------------------------------------------ requests
class UnknownParameter(Refused):
    code, status = "unknown_parameter", BAD_INPUT
    message = N_('Unknown query parameter "{name}"')


class InvalidRequest(Refused):
    code, status = "invalid_request", BAD_INPUT
    message = N_("Invalid request: {where}: {problem}")


class BadIdempotencyKey(InvalidRequest):
    field = "Idempotency-Key"
    message = N_("An Idempotency-Key has 1 to {most} printable ASCII characters")


class BadText(Refused):
    """Text no database can store the same way (PostgreSQL refuses NUL) or that is not
    Unicode text at all (half of a surrogate pair)."""

    code, status = "bad_text", BAD_INPUT
    message = N_("{where}: text may not hold a NUL character or half of a surrogate pair")


class IdempotencyKeyReused(Refused):
    code, status, field = "idempotency_key_reused", BAD_INPUT, "Idempotency-Key"
    message = N_("This Idempotency-Key was used for a different request")


class UnsupportedFilter(Refused):
    code, status, field = "unsupported_filter", BAD_INPUT, "status"
    message = N_("Only waiting or parked tickets can be listed")


class NotSetUp(Refused):
    code, status, field = "not_set_up", CONFLICT, "db"
    message = N_("The database is not set up: run queue-app db upgrade")


# ------------------------------------------------------------------ issuing tickets
class UnknownMatter(Refused):
    code, status, field = "unknown_matter", BAD_INPUT, "matters"
    message = N_('No matter in the catalog has the code "{code}"')


class AmbiguousMatter(Refused):
    code, status, field = "ambiguous_matter", BAD_INPUT, "matters"
    message = N_('The code "{code}" matches more than one matter ({matches}): give more of it')


class UnknownBundle(Refused):
    code, status, field = "unknown_bundle", BAD_INPUT, "bundle"
    message = N_('No bundle has the code "{code}"')


class DuplicateMatter(Refused):
    code, status, field = "duplicate_matter", BAD_INPUT, "matters"
    message = N_("Matter {code} is listed twice")


class NoMatters(Refused):
    code, status, field = "no_matters", BAD_INPUT, "matters"
    message = N_("A ticket needs at least one matter or a bundle")


class UnknownPriority(Refused):
    code, status, field = "bad_priority", BAD_INPUT, "priority"
    message = N_('Unknown priority "{given}": expected one of {choices}')


class NoWindowForAll(Refused):
    code, status, field = "no_window", BAD_INPUT, "matters"
    message = N_("No window of this hall accepts all of these matters together: {matters}")


class OutsideHours(Refused):
    code, status, field = "outside_hours", CONFLICT, "day"
    message = N_(
        "No tickets are issued now: the hours are {start} to {until} on {weekdays} "
        "(a manager may open issuing late)"
    )


class BadUntil(Refused):
    code, status, field = "bad_until", BAD_INPUT, "until"
    message = N_("Late issuing must end at a time later today")


# ------------------------------------------------------------------ the business day
class FutureDay(Refused):
    code, status, field = "future_day", BAD_INPUT, "day"
    message = N_("Business day {day} has not begun")


class DayClosed(Refused):
    code, status, field = "day_closed", CONFLICT, "day"
    message = N_("Business day {day} is closed already")


class DayClosedNoTickets(DayClosed):
    message = N_("Business day {day} is closed: no more tickets today")


class StillServing(Refused):
    code, status, field = "still_serving", CONFLICT, "force"
    message = N_("Tickets are still being served: {tickets}")


# ------------------------------------------------------------------ tickets
class NoSuchTicket(Refused):
    code, status, field = "no_such_ticket", NOT_FOUND, "ticket"
    message = N_("There is no ticket {number}")


class NoSuchTicketOn(NoSuchTicket):
    message = N_("There is no ticket {number} on {day}")


class NotATicketNumber(NoSuchTicket):
    field = "number"
    message = N_('"{number}" is not a ticket number')


class UnknownSlip(NoSuchTicket):
    field = "token"
    message = N_("This ticket is unknown or has expired (a slip is valid on its business day only)")


class BadStatus(Refused):
    code, status, field = "bad_status", CONFLICT, "ticket"
    message = N_("Cannot {action} {number}: it is {state}")


class NotYourTicket(Refused):
    code, status, field = "not_your_ticket", CONFLICT, "window"
    message = N_("Window {window} cannot {action} {number}: it is at window {holder}")


class WindowHoldsAnother(NotYourTicket):
    field = "ticket"
    message = N_("Window {window} holds {current}, not {number}")


class TransferredElsewhere(Refused):
    code, status, field = "not_for_this_window", CONFLICT, "window"
    message = N_("{number} was transferred to window {target}")


class HeldForWindow(Refused):
    code, status, field = "held_for_window", CONFLICT, "window"
    message = N_("{number} is held for window {target}, where it was parked")


class RecallLimit(Refused):
    code, status, field = "recall_limit", CONFLICT, "ticket"
    message = N_("{number} has been recalled the most times allowed ({limit}): mark it a no-show")


class OutcomeForUnknownMatter(Refused):
    code, status, field = "unknown_matter", BAD_INPUT, "outcomes"
    message = N_("{number} has no matter {matters}")


class OutcomeMissing(Refused):
    code, status, field = "outcome_missing", BAD_INPUT, "outcomes"
    message = N_("Every matter needs an outcome; missing: {matters}")


class UnknownOutcome(Refused):
    code, status, field = "bad_outcome", BAD_INPUT, "outcome"
    message = N_('Unknown outcome "{given}": expected one of {choices}')


class OutcomeOrOutcomes(UnknownOutcome):
    message = N_("Give either outcome (for every matter) or outcomes (one per matter)")


class BadOutcomeEntry(UnknownOutcome):
    message = N_('Expected CODE=OUTCOME, not "{entry}"')


class TransferTarget(Refused):
    code, status, field = "transfer_target", BAD_INPUT, "to"
    message = N_("Give exactly one of a target window or a target domain")


class TransferToItself(TransferTarget):
    field = "to_window"
    message = N_("Window {window} cannot transfer a ticket to itself")


class UnknownDomain(Refused):
    code, status, field = "unknown_domain", BAD_INPUT, "to_domain"
    message = N_('There is no domain "{domain}"')


class WindowCannotAccept(Refused):
    code, status, field = "no_window", BAD_INPUT, "to"
    message = N_("Window {window} cannot accept every matter of {number}")


class DomainCannotAccept(WindowCannotAccept):
    message = N_("No window serving {domain} can accept every matter of {number}")


class BadRating(Refused):
    code, status, field = "bad_rating", BAD_INPUT, "level"
    message = N_("A rating is 1 (very dissatisfied) to 5 (very satisfied), not {level}")


class NotFinishedHere(Refused):
    code, status, field = "not_finished_here", CONFLICT, "ticket"
    message = N_("{number} was not finished at window {window}, so it cannot be rated there")


class AlreadyRated(Refused):
    code, status, field = "already_rated", CONFLICT, "ticket"
    message = N_("{number} has been rated already")


class NotFinishedYet(Refused):
    code, status, field = "not_finished_yet", CONFLICT, "ticket"
    message = N_("{number} is not finished yet: it can be rated after the visit")


class UnknownReason(Refused):
    code, status, field = "unknown_reason", BAD_INPUT, "reasons"
    message = N_("Unknown reason {reason}: the reasons are {reasons}")


class ReasonsRequired(Refused):
    code, status, field = "reasons_required", BAD_INPUT, "reasons"
    message = N_("A rating of {level} (dissatisfied) needs at least one reason of: {reasons}")


class ReasonsNotForThisLevel(Refused):
    code, status, field = "reasons_not_for_level", BAD_INPUT, "reasons"
    message = N_("Reasons go only with a rating of 1 or 2 (dissatisfied), not {level}")


class RaterHere(Refused):
    """Not the account's role but the window's equipment: a 409 like the other refusals
    of a rating."""

    code, status, field = "rater_here", CONFLICT, "window"
    message = N_(
        "Window {window} has a rating tablet: the citizen rates there. Staff may enter a "
        "rating for the citizen only at a window without one"
    )


class NotTheVisitJustFinished(Forbidden):
    code, field = "not_just_finished", "ticket"
    message = N_(
        "The rating tablet of window {window} may rate only the visit just finished there, "
        "not {number}"
    )


# ------------------------------------------------------------------ 好差评 cases
class NoSuchCase(Refused):
    code, status, field = "no_such_case", NOT_FOUND, "case"
    message = N_("There is no case {case} of a poor rating")


class CaseClosed(Refused):
    code, status, field = "case_closed", CONFLICT, "case"
    message = N_("The case of {number} ({day}) is closed already")


class CaseStepDone(Refused):
    code, status, field = "case_step_done", CONFLICT, "case"
    message = N_("The {step} of {number} ({day}) is recorded already")


class CaseStepFirst(Refused):
    code, status, field = "case_step_first", CONFLICT, "case"
    message = N_("Record the {step} of {number} ({day}) first")


class NothingToRectify(Refused):
    code, status, field = "nothing_to_rectify", CONFLICT, "case"
    message = N_("The return visit for {number} ({day}) found nothing to rectify")


class AppealExists(Refused):
    code, status, field = "appeal_exists", CONFLICT, "case"
    message = N_("The rating of {number} ({day}) has been appealed already")


class NoAppeal(Refused):
    code, status, field = "no_appeal", CONFLICT, "case"
    message = N_("No appeal has been raised against the rating of {number} ({day})")


class AppealDecided(Refused):
    code, status, field = "appeal_decided", CONFLICT, "case"
    message = N_("The appeal against the rating of {number} ({day}) has been decided already")


class NoteRequired(Refused):
    code, status = "note_required", BAD_INPUT
    message = N_("Write what was found or done (1 to {most} characters)")


class NotAManager(Refused):
    code, status, field = "not_a_manager", BAD_INPUT, "assignee"
    message = N_("{username} is not an active manager account: a return visit goes to a manager")


class DayPurged(Refused):
    code, status, field = "day_purged", CONFLICT, "case"
    message = N_(
        "The tickets and events of {day} have been purged (only its figures are kept): "
        "a rating of that day can no longer be appealed"
    )


class PeriodReversed(Refused):
    code, status, field = "bad_period", BAD_INPUT, "first"
    message = N_("The period runs backwards: {first} is after {last}")


# ------------------------------------------------------------------ windows
class NoSuchWindow(Refused):
    code, status, field = "no_such_window", NOT_FOUND, "window"
    message = N_("This hall has no window {number}")


class WindowBusy(Refused):
    code, status, field = "window_busy", CONFLICT, "window"
    message = N_(
        "Window {window} still holds a ticket: finish it, transfer it or mark it a no-show "
        "before you {action}"
    )


class WindowOpen(Refused):
    code, status, field = "window_open", CONFLICT, "window"
    message = N_("Window {window} is open already")


class WindowClosed(Refused):
    code, status, field = "window_closed", CONFLICT, "window"
    message = N_("Window {window} is closed already")


class OpenWindowFirst(WindowClosed):
    message = N_("Window {window} is closed: open it first")


class WindowNotOpen(Refused):
    code, status, field = "window_not_open", CONFLICT, "window"
    message = N_("Window {window} is {state}: only an open window can pause")


class WindowNotPaused(Refused):
    code, status, field = "window_not_paused", CONFLICT, "window"
    message = N_("Window {window} is {state}, not paused")


class WindowPaused(Refused):
    code, status, field = "window_paused", CONFLICT, "window"
    message = N_("Window {window} is paused ({reason}): resume it first")


class ReasonRequired(Refused):
    code, status, field = "reason_required", BAD_INPUT, "reason"
    message = N_("A pause needs a reason (a break, a meeting …)")


class NoCurrentTicket(Refused):
    code, status, field = "no_current_ticket", CONFLICT, "window"
    message = N_("Window {window} has no current ticket")


class BadProfile(Refused):
    code, status = "bad_profile", BAD_INPUT
    message = N_("Invalid window profile: {problem}")


class WouldStrand(Refused):
    code, status, field = "would_strand", CONFLICT, "serves"
    message = N_(
        "After this change to window {window} no window could serve the waiting tickets "
        "{numbers}: change another window first"
    )


# ------------------------------------------------------------------ the server's voice
class NoVoice(Refused):
    code, status = "no_voice", NOT_FOUND
    message = N_("This server cannot speak the calls: {reason}")


# ------------------------------------------------------------------ the server itself
class ServerFailed(Refused):
    code, status = "server_error", SERVER_FAILED
    message = N_(
        "The server failed on this request (request {request_id}); nothing was changed. "
        "Tell the hall's administrator this request number"
    )


class StorageReadOnly(Refused):
    code, status = "storage_read_only", UNAVAILABLE
    message = N_(
        "The hall's database cannot be written (read-only file, directory or disk): "
        "nothing was changed. The administrator must make it writable; the server "
        "goes on by itself once it is"
    )


class StorageFull(Refused):
    code, status = "storage_full", UNAVAILABLE
    message = N_(
        "The hall's disk is full: nothing was changed. The administrator must free space "
        "(old logs, backups); the server goes on by itself once there is room"
    )


# ------------------------------------------------------------------ halls
class NoSuchHall(Refused):
    code, status, field = "no_such_hall", NOT_FOUND, "hall"
    message = N_("This server serves no hall {hall}")


class NotYourHall(Refused):
    code, status, field = "not_your_hall", FORBIDDEN, "hall"
    message = N_("Your account is of hall {yours}, not of hall {hall}")


# ------------------------------------------------------------------ reports
class BadDate(Refused):
    code, status, field = "bad_date", BAD_INPUT, "from"
    message = N_("{value} is not a date (expected YYYY-MM-DD)")


class PeriodBackwards(Refused):
    code, status, field = "period_backwards", BAD_INPUT, "to"
    message = N_("The period ends ({last}) before it begins ({first})")


class PeriodTooLong(Refused):
    code, status, field = "period_too_long", BAD_INPUT, "to"
    message = N_("A report covers at most {most} days; {first} to {last} is {days}")


# ------------------------------------------------------------------ history
class HistoryDaysTaken(Refused):
    """Past days to play hold tickets already (or were closed)."""

    code, status, field = "history_days_taken", CONFLICT, "days"
    message = N_(
        "The database holds business day {day} already (its tickets, or the day closed): "
        "history goes only on days without them; nothing was changed"
    )


class HallInUseLater(Refused):
    """History is played forward through the store: never behind a hall in use."""

    code, status, field = "hall_in_use", CONFLICT, "until"
    message = N_(
        "The hall is in use on {day}, after the days to seed: history goes only into a "
        "hall's database before its first day in use; nothing was changed"
    )


class DemandOverruns(Refused):
    """A simulated day whose work would run into the next business day."""

    code, status, field = "demand_overruns", BAD_INPUT, "demand"
    message = N_(
        "The demand profile keeps the hall's windows busy past midnight on {day}: choose a "
        "lighter one (--demand); nothing was changed"
    )


class MatterOrBundle(Refused):
    code, status, field = "matter_or_bundle", BAD_INPUT, "matter"
    message = N_("Give either a matter or a bundle")


# ------------------------------------------------------------------ public screens
class NoticeTooLong(Refused):
    code, status, field = "notice_too_long", BAD_INPUT, "text"
    message = N_("A notice is at most {most} characters long (this one has {length})")


class NoticeNotOneLine(Refused):
    code, status, field = "notice_not_one_line", BAD_INPUT, "text"
    message = N_("A notice is one line: no line breaks or control characters")


class BadStaffNumber(Refused):
    code, status, field = "bad_staff_number", BAD_INPUT, "staff_number"
    message = N_("A staff number is 1 to {most} letters, digits or hyphens")


# ------------------------------------------------------------------ slip printers
class NoSuchStation(Refused):
    code, status, field = "no_such_station", NOT_FOUND, "station"
    message = N_("This hall has no station {station} (the stations of its hall file: {known})")


class StationNotForRole(Refused):
    code, status, field = "station_not_for_role", BAD_INPUT, "station"
    message = N_("A {role} account signs in at no station (desks and kiosks do)")


class NoSuchPrinter(Refused):
    code, status, field = "no_such_printer", NOT_FOUND, "printer"
    message = N_("This hall has no printer {printer} (the printers of its hall file: {known})")


class NoPrinterHere(Refused):
    code, status, field = "no_printer_here", CONFLICT, "printer"
    message = N_(
        "This session's station names no printer: sign in at a station with one, or name "
        "the printer"
    )


# ------------------------------------------------------------------ bookings (预约)
class NotBookable(Refused):
    code, status, field = "not_bookable", BAD_INPUT, "matters"
    message = N_("These matters cannot be booked at this hall: {matters}")


class NoSuchSlot(Refused):
    code, status, field = "no_such_slot", BAD_INPUT, "at"
    message = N_("No booking slot starts at {when}: choose one of the slots listed")


class SlotPast(Refused):
    code, status, field = "slot_past", BAD_INPUT, "at"
    message = N_("The slot {day} {start} has already begun: choose a later one")


class BeyondHorizon(Refused):
    code, status, field = "beyond_horizon", BAD_INPUT, "at"
    message = N_("Bookings are taken up to {days} days ahead (until {last})")


class SlotFull(Refused):
    code, status, field = "slot_full", CONFLICT, "at"
    message = N_("The slot {day} {start} is fully booked: choose another")


class SlotClosed(Refused):
    code, status, field = "slot_closed", CONFLICT, "at"
    message = N_("The slot {day} {start} is closed for booking: choose another")


class TooManyBookings(Refused):
    code, status, field = "too_many_bookings", CONFLICT, "mobile"
    message = N_("This number already holds {most} booking(s) on {day}")


class BookingBanned(Refused):
    code, status, field = "booking_banned", FORBIDDEN, "mobile"
    message = N_(
        "This number missed {count} bookings without coming: it may book again from {until}"
    )


class NoSuchBooking(Refused):
    code, status, field = "no_such_booking", NOT_FOUND, "code"
    message = N_("No booking {code}")


class NotYourBooking(Refused):
    code, status, field = "not_your_booking", FORBIDDEN, "mobile"
    message = N_("The mobile number given is not the one booking {code} was made with")


class BookingNotActive(Refused):
    code, status, field = "booking_not_active", CONFLICT, "code"
    message = N_("Booking {code} is no longer active ({status})")


class BookingCheckedIn(BookingNotActive):
    message = N_("Booking {code} was already checked in: ticket {ticket}")


class BookingEarly(Refused):
    code, status, field = "booking_early", CONFLICT, "code"
    message = N_("Booking {code} can be checked in from {opens} on {day}")


class BookingLate(Refused):
    """Past the check-in window: the citizen may take a walk-in ticket (field ``walk_in``)."""

    code, status, field = "booking_late", CONFLICT, "walk_in"
    message = N_("Booking {code} could be checked in until {until}: please take a walk-in ticket")


class UnknownScope(Refused):
    code, status, field = "unknown_scope", BAD_INPUT, "scope"
    message = N_("This hall has no booking scope {scope} (its scopes: {known})")


class ClosurePast(Refused):
    code, status, field = "closure_past", BAD_INPUT, "day"
    message = N_("{day} has passed: only today and later days can be closed")


class NoSuchClosure(Refused):
    code, status, field = "no_such_closure", NOT_FOUND, "id"
    message = N_("No booking closure {id}")


class NoBan(Refused):
    code, status, field = "no_ban", NOT_FOUND, "mobile"
    message = N_("This number is not barred from booking")


# ------------------------------------------------------------------ notices
class NoSuchNotice(Refused):
    code, status, field = "no_such_notice", NOT_FOUND, "notice"
    message = N_("There is no notice {notice}")


class NoticeNotDead(Refused):
    code, status, field = "notice_not_dead", CONFLICT, "notice"
    message = N_("Notice {notice} is {state}: only a dead letter can be sent again")
