//! Signing in, the first supervisor, adding operators and a supervisor's override PIN, with Argon2 (slow
//! on purpose) on the `pin-check` thread: the storage thread only reads the candidates and the name's
//! lockout, and records the outcome, so the next scan's lookup never waits behind a PIN.
//!
//! Each flow goes storage → `pin-check` → storage, through the app: [`crate::bench::sign_in`]'s first step
//! ([`AppEvent::Candidates`]: refused at once for a locked name) sends the PIN work, and the `pin-check`
//! answer ([`PinAnswer`]) goes back to storage to be counted against the name's lockout, kept in the
//! database, and to sign in or save the override.

use super::*;
use crate::auth::PinSecret;

/// What a PIN is being checked for.
#[derive(Debug)]
pub(super) enum PinCheck {
    SignIn { name: String },
    Override(Box<PendingOverride>),
}

/// An override waiting for its supervisor's PIN: everything its save needs.
#[derive(Debug)]
pub(super) struct PendingOverride {
    pub request: OverrideRequest,
    pub prepared: PreparedOverride,
    pub package: BenchPackage,
    pub sheet: InspectionSheet,
    pub decided: Decided,
}

/// Who a new PIN is hashed for.
#[derive(Debug)]
pub(super) enum NewOperator {
    FirstSupervisor { name: String },
    Added { name: String, role: Role },
}

/// Work for the `pin-check` thread.
#[derive(Debug)]
pub(super) enum PinWork {
    Check { purpose: PinCheck, candidates: Vec<OperatorRow>, pin: String },
    Hash { purpose: NewOperator, pin: String },
}

/// What the `pin-check` thread answered.
#[derive(Debug)]
pub(super) enum PinAnswer {
    Checked { purpose: PinCheck, result: Result<SignedIn, AuthError> },
    Hashed { purpose: NewOperator, result: Result<String, AuthError> },
}

/// The `pin-check` thread's errand: Argon2, no store.
pub(super) fn pin_errand(work: PinWork, secret: &PinSecret) -> PinAnswer {
    match work {
        PinWork::Check { purpose, candidates, pin } => {
            PinAnswer::Checked { purpose, result: auth::check_pin(&candidates, &pin, secret) }
        }
        PinWork::Hash { purpose, pin } => {
            let role = match &purpose {
                NewOperator::FirstSupervisor { .. } => Role::Supervisor,
                NewOperator::Added { role, .. } => *role,
            };
            PinAnswer::Hashed { purpose, result: auth::hash_pin(&pin, role, secret) }
        }
    }
}

impl StationApp {
    pub(super) fn sign_in_with(&mut self, name: String, pin: String, ctx: &egui::Context) {
        self.sign_in.busy = true;
        self.check_pin(PinCheck::SignIn { name }, pin, ctx);
    }

    /// Reads who a PIN may belong to on the storage thread, unless the name is locked (refused there and
    /// audited); the PIN is checked when they come back.
    fn check_pin(&mut self, purpose: PinCheck, pin: String, ctx: &egui::Context) {
        let (actor, now) = (self.actor(), self.now());
        self.submit(
            ctx,
            move |store| {
                let read = match &purpose {
                    PinCheck::SignIn { name } => bench::sign_in::candidates(store, &actor.station, &now, name),
                    PinCheck::Override(pending) => {
                        let supervisor = &pending.request.supervisor;
                        bench::sign_in::override_candidates(store, &actor, &now, &pending.package, supervisor)
                    }
                };
                (purpose, read.map_err(Problem::from))
            },
            move |(purpose, result)| AppEvent::Candidates { purpose, pin, result },
        );
    }

    /// The candidates of a PIN check are in: the PIN goes to the `pin-check` thread.
    pub(super) fn candidates_read(
        &mut self,
        purpose: PinCheck,
        pin: String,
        result: Result<Vec<OperatorRow>, Problem>,
    ) {
        match result {
            Ok(candidates) => self.pin_work(PinWork::Check { purpose, candidates, pin }),
            Err(problem) => self.pin_failed(&purpose, problem),
        }
    }

    /// Sends PIN work to the `pin-check` thread. If it cannot go (the thread is busy or gone), whatever
    /// waited for it (a sign-in, an override) is let go again and the clerk is told why.
    fn pin_work(&mut self, work: PinWork) {
        let refused = match &self.pins {
            Some(pins) => pins.submit(work).err().map(|e| e.to_string()),
            None => Some("PINs cannot be checked: the pin-check thread is not running".to_owned()),
        };
        if let Some(message) = refused {
            self.sign_in.busy = false;
            if let Some(bench) = self.bench.as_mut() {
                bench.saving = false;
            }
            self.notices.push(Level::Error, message);
        }
    }

    /// A PIN flow that could not go on: a locked name, or a database or thread error.
    fn pin_failed(&mut self, purpose: &PinCheck, problem: Problem) {
        match purpose {
            PinCheck::SignIn { .. } => {
                self.sign_in.busy = false;
                self.sign_in.message = Some(problem.to_string());
            }
            PinCheck::Override(_) => {
                if let Some(bench) = self.bench.as_mut() {
                    bench.saving = false;
                    bench.message = Some(match problem {
                        refused @ Problem::Bench(BenchError::OverrideRefused { .. }) => refused.to_string(),
                        other => format!("not saved: {other}"),
                    });
                }
            }
        }
    }

    pub(super) fn pin_answer(&mut self, answer: PinAnswer, ctx: &egui::Context) {
        let now = self.now();
        match answer {
            PinAnswer::Checked { purpose: PinCheck::SignIn { name }, result } => {
                let station = self.station.clone();
                let recorded = self.submit(
                    ctx,
                    move |store| bench::sign_in::record(store, &station, &now, &name, result).map_err(Problem::from),
                    AppEvent::SignedIn,
                );
                self.sign_in.busy = recorded;
            }
            PinAnswer::Checked { purpose: PinCheck::Override(pending), result } => {
                self.save_override(*pending, result, ctx);
            }
            PinAnswer::Hashed { purpose: NewOperator::FirstSupervisor { name }, result } => {
                let station = self.station.clone();
                self.submit(
                    ctx,
                    move |store| bench::operators::add_first_supervisor(store, &station, &now, &name, &result?),
                    |result: Result<SignedIn, BenchError>| AppEvent::FirstSupervisor(result.map_err(Problem::from)),
                );
            }
            PinAnswer::Hashed { purpose: NewOperator::Added { name, role }, result } => {
                let actor = self.actor();
                self.submit(
                    ctx,
                    move |store| {
                        bench::operators::add_operator(store, &actor, &now, &name, role, &result?)?;
                        Ok(format!("{name} added as {role}"))
                    },
                    |result: Result<String, BenchError>| AppEvent::OperatorAdded(result.map_err(Problem::from)),
                );
            }
        }
    }

    /// An operator whose PIN checked (or the first supervisor, just added) takes the bench.
    pub(super) fn signed_in(&mut self, signed: SignedIn, ctx: &egui::Context) {
        self.sign_in.message = None;
        self.session = Some(signed);
        self.screen = Screen::Intake;
        self.resume_on_start = self.bench.is_none();
        self.refresh_today(ctx);
        self.refresh_operators(ctx);
    }

    pub(super) fn create_first_supervisor(&mut self, name: String, pin: String) {
        if let Err(e) = auth::check_new_pin(&pin, Role::Supervisor) {
            self.sign_in.message = Some(e.to_string());
            return;
        }
        self.sign_in.busy = true;
        self.pin_work(PinWork::Hash { purpose: NewOperator::FirstSupervisor { name }, pin });
    }

    pub(super) fn add_operator(&mut self, name: String, role: Role, pin: String) {
        if let Err(e) = auth::check_new_pin(&pin, role) {
            self.settings_message = Some((false, e.to_string()));
            return;
        }
        self.pin_work(PinWork::Hash { purpose: NewOperator::Added { name, role }, pin });
    }

    /// An override asked for on the decision screen: refused at once for an amount that is not money,
    /// refused on the storage thread for a locked-out supervisor (audited), else saved once the
    /// supervisor's PIN checks (on the `pin-check` thread).
    pub(super) fn override_decision(&mut self, request: OverrideRequest, pin: String, ctx: &egui::Context) {
        let now = self.now();
        let Some(bench) = self.bench.as_mut() else { return };
        let Some(decided) = bench.decided.clone() else { return };
        if bench.saving {
            return;
        }
        let prepared = match bench::decision::prepare_override(&self.policies, &decided, &request, now.today) {
            Ok(prepared) => prepared,
            Err(error) => {
                bench.message = Some(error.to_string());
                return;
            }
        };
        bench.saving = true;
        let pending =
            PendingOverride { request, prepared, package: bench.package.clone(), sheet: bench.sheet.clone(), decided };
        self.check_pin(PinCheck::Override(Box::new(pending)), pin, ctx);
    }

    /// The override's PIN checked: counted against the supervisor's lockout, then saved with the supervisor
    /// it approved, or refused and the refusal audited, on the storage thread.
    fn save_override(&mut self, pending: PendingOverride, approver: Result<SignedIn, AuthError>, ctx: &egui::Context) {
        let (actor, now, policies) = (self.actor(), self.now(), self.policies.clone());
        let number = pending.package.claim.number(pending.package.package_id);
        let currency = pending.package.claim.currency();
        self.submit(
            ctx,
            move |store| {
                let PendingOverride { request, prepared, package, sheet, decided } = pending;
                let bench = OnTheBench { package: &package, sheet: &sheet, decided: &decided };
                let supervisor = &request.supervisor;
                bench::sign_in::finish_override(store, &policies, &actor, &now, bench, prepared, supervisor, approver)
            },
            move |result| match result {
                Err(BenchError::OverrideRefused { why, .. }) => AppEvent::OverrideRefused(why),
                result => AppEvent::Decided { number, currency, result: result.map(Box::new).map_err(Problem::from) },
            },
        );
    }
}
