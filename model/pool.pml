/*
 * pool.pml -- the protocol between nodeloop's loop thread and its worker
 * pool (platform/linux/pool.c and poll.c, runtime/loop.c, core/phases.c), for spin.
 *
 * What is modelled (see model/README.md for the full story):
 *   - the program: main() arms a timer or not and queues 0..2 tasks; every
 *     after-callback and the timer callback may queue more (NTASKS in all);
 *   - the submit queue `sq`, its mutex `qlock` (lx.lock) and condition
 *     variable (lx.has_work), with pthread_cond_wait's atomic "release the
 *     mutex and sleep", and a signal that wakes one sleeping waiter or is
 *     lost when none sleeps; the count of waiting workers `idle` (lx.idle,
 *     under qlock), and wake_one's rule: signal only when `idle` is not 0
 *     and no wake-up is in flight (`waking`, lx.waking, cleared by a worker
 *     as it leaves the wait); ndl__lx_submit calls it after queueing, and a
 *     worker after taking a task that left more queued (the cascade);
 *   - the completion queue `cq` and its mutex `cqlock` (lx.done_lock);
 *   - the eventfd (only zero / non-zero is observable through epoll, and a
 *     read resets it to zero, so one bit is enough), and the doorbell flag
 *     `wake_pending` (lx.wake_pending): complete_task pushes, exchanges the
 *     flag with 1, and writes the eventfd only if it was 0;
 *   - ndl__lx_wait: the ndl__lx_completions_pending check, epoll_wait(timeout) (returns
 *     when the eventfd is readable; returns with nothing only when a timeout
 *     is set, 0 or "until the timer is due"; with -1 it blocks), the eventfd
 *     read, the flag cleared, and a drain of at most CAP completions, done
 *     on every wait;
 *   - one timer: made due by the clock at any time, or by epoll_wait's
 *     timeout running out (the timeout is the time to it);
 *   - shutdown: stop flag under the lock, broadcast, join every worker, free
 *     what is left;
 *   - with -DSTOPPER: ndl_stop() from another thread at any moment, a task
 *     delay (ndl__lx_sleep_for) that destroy cuts short, and maybe a watcher on an
 *     fd that never becomes readable (a server that only ndl_stop ends).
 *
 * Every modelled step names the C function it stands for in a comment:
 * "@c" then the name; ci/model-names checks that each name is defined in
 * platform/, runtime/ or core/.
 *
 * Bug switches (each must make spin fail; ci/model checks that it does):
 *   LOST_WAKEUP        complete_task pushes the completion, skips the eventfd
 *   WRITE_BEFORE_PUSH  complete_task rings (exchange, write) before pushing
 *   EXCHANGE_BEFORE_PUSH complete_task exchanges the flag before pushing and
 *                      writes (if it was 0) after: a completion that finds
 *                      the flag set is pushed after the loop's clear + drain
 *   CLEAR_BEFORE_READ  ndl__lx_wait clears wake_pending before it reads the
 *                      eventfd: the read eats a ring made after the clear,
 *                      the flag stays 1, and no later completion rings
 *   CLEAR_AFTER_DRAIN  ndl__lx_wait clears wake_pending after the drain; only a
 *                      bug together with NO_PENDING_CHECK (ci/model runs it
 *                      so, with CAP=NTASKS): the pending check alone also
 *                      covers this order
 *   SIGNAL_WITHOUT_IDLE_COUNT next_task waits without counting itself in
 *                      idle: ndl__lx_submit sees idle == 0 and never signals
 *   WAKING_STUCK       next_task does not clear `waking` as it leaves the
 *                      wait: after the first wake-up no submission signals
 *                      again, and a task queued while every worker sleeps
 *                      waits for ever
 *   NO_PENDING_CHECK   ndl__lx_wait blocks without first checking that no
 *                      completion is left over (out[] was full, CAP): a
 *                      leftover waits for a wake-up that never comes
 *   WRONG_ORDER        ndl__lx_wait drains before reading (resetting) the
 *                      eventfd, the flag still cleared before the drain: a
 *                      bug on its own since the flag (the read comes after
 *                      the clear, as in CLEAR_BEFORE_READ); ci/model also
 *                      runs it with NO_PENDING_CHECK and CAP=NTASKS, where
 *                      it was the bug before the flag
 *   LOST_SIGNAL        next_task unlocks and sleeps in two steps (no
 *                      pthread_cond_wait atomicity): a signal goes missing
 *   STOP_NO_LOCK       linux_destroy sets the stop flag without the lock
 *   STOP_WAKE_FIRST    ndl_stop wakes before storing the flag (-DSTOPPER)
 *   TIMEOUT_OVERFLOW   ndl__lx_wait passes a timer's timeout to epoll_wait as
 *                      -1 (e.g. ns -> int ms overflowing for a timer more
 *                      than 24.8 days away): the chapter's hang, in our design
 *   POLL_IGNORES_ALIVE ndl__core_poll_timeout returns -1 when the last timer
 *                      fired in this tick's timer phase (nothing is alive,
 *                      nothing can wake epoll_wait: a hang; libuv's
 *                      uv_backend_timeout returns 0 for a dead loop)
 * Model switches:
 *   SPURIOUS           pthread_cond_wait may return without a signal (safety
 *                      runs only: under weak fairness spurious wakeups would
 *                      be forced and would hide lost signals)
 *   STOPPER            ndl_stop from another thread, task delays, and a
 *                      never-ready watcher (ci/model runs it with NTASKS=2)
 * Bounds: NW, NTASKS, CAP (below); see model/README.md for why they do.
 */

#ifndef NW
#define NW 2          /* pool threads (ci/model also runs NW=1) */
#endif
#ifndef NTASKS
#define NTASKS 3      /* work items the program may submit, in all */
#endif
#ifndef CAP
#define CAP 1         /* records per wait(): loop.c's FIRED_CAP, scaled down */
#endif

/* ndl__lx_wait returns at once: a zero timeout, no watched fd, no task out */
#define nothing_to_poll (tmo == ZERO && !watching && nsub == nran)

/* poll_phase's timeout, abstracted */
#define INF  0        /* -1: no timer, block until something happens */
#define ZERO 1        /* 0: something is already due, do not block */
#define FIN  2        /* >0: the time left until the timer is due */

/* ---- shared state ---------------------------------------------------- */

chan sq = [NTASKS] of { byte };   /* submit queue (FIFO), under qlock */
bit  qlock;
bit  waiting[NW];                 /* condvar: 1 = asleep in cond_wait */
byte idle;                        /* workers in next_task's wait (qlock) */
bit  waking;                      /* a wake-up is in flight (qlock) */
bit  pool_stop;                   /* shutdown flag, under qlock */

chan cq = [NTASKS] of { byte };   /* completion queue, under cqlock */
bit  cqlock;

bit  efd;                         /* eventfd counter != 0 */
bit  wake_pending;                /* rung since the loop's last clear */

bit  timer_armed, timer_due, timer_fired;
bit  watching;                    /* an fd watcher that never fires */
bit  stop_req;                    /* loop->stop_requested */

/* ghost state: what the properties talk about */
byte nsub;                        /* tasks submitted; also the next id */
byte nran;                        /* after-callbacks run on the loop */
byte nfreed;                      /* tasks freed unrun (destroy, sleep_for) */
bit  ran[NTASKS];
bit  loop_done;                   /* ndl_run returned */
bit  all_joined;                  /* linux_destroy joined every worker */
bit  exited[NW];

/* ---- the properties ---------------------------------------------------- */

#define outstanding (nsub != nran)
/* ndl__core_alive: refed timers, work in flight, watchers */
#define alive ((timer_armed && !timer_fired) || outstanding || watching)

#ifndef NOLTL          /* safety runs: spin -DNOLTL -a, so no claim is used */
#ifndef STOPPER
/* Every submitted task's after-callback eventually runs on the loop. */
ltl work_done   { [] (outstanding -> <> (!outstanding)) }
/* A due timer is eventually fired, also when no I/O or work arrives. */
ltl timer_fires { [] (timer_due -> <> timer_fired) }
/* The run ends by itself and shutdown joins every worker. */
ltl shutdown    { <> all_joined }
#else
/* ndl_stop always makes ndl_run return and shutdown join every worker. */
ltl shutdown    { [] (stop_req -> <> all_joined) }
/* Until a stop, a due timer is fired, and work completes. */
ltl timer_fires { [] (timer_due -> <> (timer_fired || stop_req)) }
ltl work_done   { [] (outstanding -> <> (!outstanding || stop_req)) }
#endif
#endif

/* ---- primitives ------------------------------------------------------ */

/* A mutex. A critical section that touches only what its mutex guards is
 * written as one atomic step that starts by taking the mutex: no other
 * thread can observe its middle, so this loses no behaviour, and it still
 * blocks while another thread holds the mutex. */
inline lock(m)   { atomic { m == 0 -> m = 1 } }
inline unlock(m) { assert(m == 1); m = 0 }

/* pthread_cond_signal: wakes one waiter, if one sleeps; else it is lost. */
inline cond_signal() {
  atomic {
    if
    :: waiting[0] -> waiting[0] = 0
#if NW > 1
    :: waiting[1] -> waiting[1] = 0
#endif
#if NW > 2
    :: waiting[2] -> waiting[2] = 0
#endif
    :: else -> skip
    fi
  }
}

inline cond_broadcast() {
  d_step {
    j = 0;
    do
    :: j < NW -> waiting[j] = 0; j++
    :: else -> break
    od;
    j = 0
  }
}

/* @c next_task : "s->idle++; pthread_cond_wait(&has_work, &lock);
 * s->idle--", called with qlock held. idle is only touched under qlock, so
 * the count goes with the release and the uncount with the re-acquisition:
 * idle is the number of workers inside the wait, asleep or woken. */
#ifndef SIGNAL_WITHOUT_IDLE_COUNT
#define count_idle    idle++
#define uncount_idle  idle--
#else
#define count_idle    skip              /* BUG: waits uncounted */
#define uncount_idle  skip
#endif
inline cond_wait(me) {
#ifndef LOST_SIGNAL
  atomic {                                    /* release + sleep: one step */
    count_idle;
    waiting[me] = 1;
    unlock(qlock)
  };
#else
  atomic { count_idle; unlock(qlock) };       /* BUG: a window in between */
  waiting[me] = 1;
#endif
  if
  :: waiting[me] == 0 -> skip                 /* signalled */
#ifdef SPURIOUS
  :: waiting[me] == 1 -> waiting[me] = 0      /* spurious wakeup */
#endif
  fi;
  atomic {
    lock(qlock);
    uncount_idle;
#ifndef WAKING_STUCK
    waking = 0                                /* awake, signalled or not */
#endif
  }
}

/* @c wake_one : "if (s->idle > 0 && !s->waking) { s->waking = 1;
 * pthread_cond_signal }", with qlock held. */
inline wake_one() {
  if
  :: idle > 0 && !waking -> waking = 1; cond_signal()
  :: else -> skip
  fi
}

/* ---- the loop thread's side ------------------------------------------ */

/* ndl_queue_work on the loop thread: the core registers the work (nsub),
 * then the platform queues it. */
inline submit() {
  /* @c ndl_queue_work */
  /* @c ndl__lx_submit */
  atomic {
    lock(qlock);
    sq ! nsub;
    nsub++;
    wake_one();
    unlock(qlock)
  }
}

/* A callback may queue more work, while the budget lasts. */
inline maybe_submit() {
  if
  :: nsub < NTASKS -> submit()
  :: true -> skip
  fi
}

proctype Loop() {
  byte tmo, nf, k, t, j;
  byte fired[CAP];
  bit readable, skipped;

  /* @c ndl__core_run_main : the program. Any of: a timer or not, 0..2
   * work items, a watcher (only with a stopper: nothing else ends it). */
  if
  :: timer_armed = 1
  :: skip
  fi;
  if
  :: skip
  :: submit()
  :: submit(); submit()
  fi;
#ifdef STOPPER
  if
  :: watching = 1
  :: skip
  fi;
#endif

  /* @c ndl_run */
  do
  :: alive && !stop_req ->
     /* @c ndl__core_run_timers */
     if
     :: timer_armed && timer_due && !timer_fired ->
        timer_fired = 1;              /* the timer callback runs */
        maybe_submit()
     :: else -> skip
     fi;

     /* @c poll_phase */
     /* @c ndl__core_poll_timeout : one step, reading the clock once */
     atomic {
     if
     :: stop_req -> tmo = ZERO
#ifndef POLL_IGNORES_ALIVE
     :: !stop_req && !alive -> tmo = ZERO /* the timer phase ended the run */
#endif
     :: else ->
        if
        :: timer_armed && !timer_fired && timer_due -> tmo = ZERO
        :: timer_armed && !timer_fired && !timer_due -> tmo = FIN
        :: else -> tmo = INF
        fi
     fi
     };

     /* @c ndl__lx_wait */
#ifdef TIMEOUT_OVERFLOW
     if
     :: tmo == FIN -> tmo = INF       /* BUG: the timeout is lost */
     :: else -> skip
     fi;
#endif
#ifndef NO_PENDING_CHECK
     /* @c ndl__lx_completions_pending : tasks left over from a full out[] (or
      * whose eventfd write is late) must not wait behind a timeout. */
     if
     :: tmo != ZERO && nsub == nran -> skip  /* nothing out: no lock */
     :: tmo != ZERO && nsub != nran ->
        atomic {
          lock(cqlock);
          if
          :: len(cq) > 0 -> tmo = ZERO
          :: len(cq) == 0 -> skip
          fi;
          unlock(cqlock)
        }
     :: else -> skip
     fi;
#endif
     /* epoll_wait(epfd, ..., timeout_ms(timeout)); @c ndl__lx_wait skips it
      * when the timeout is 0, no fd is watched and no task is out. */
     atomic {
       (efd || tmo != INF) ->
       if
       :: nothing_to_poll -> readable = 0; skipped = 1
       :: else ->
          skipped = 0;
          if
          :: efd -> readable = 1
          :: !efd && tmo == ZERO -> readable = 0
          :: !efd && tmo == FIN ->    /* the time to the timer ran out */
             readable = 0; timer_due = 1
          fi
       fi
     };
     nf = 0;
#ifdef CLEAR_BEFORE_READ
     wake_pending = 0;                /* BUG: cleared before the read */
#endif
#ifndef WRONG_ORDER
     /* The eventfd is reported: reset it, BEFORE draining. */
     if
     :: readable -> efd = 0           /* read(efd): the counter is 0 */
     :: else -> skip
     fi;
#endif
#if !defined(CLEAR_BEFORE_READ) && !defined(CLEAR_AFTER_DRAIN)
     /* @c ndl__lx_wait : atomic_store(&wake_pending, 0), after the read and
      * before the drain, whether or not the eventfd fired; not when the
      * wait was skipped (ndl__lx_wait returned at once). */
     if
     :: !skipped -> wake_pending = 0
     :: else -> skip
     fi;
#endif
     /* @c ndl__lx_drain : always, not only when the eventfd fired;
      * at most CAP records, the rest stay queued. Skipped, lock and all,
      * while no task is out (submitted == drained: every earlier fired
      * record was dispatched, so drained == nran here). */
     atomic {
       if
       :: nsub == nran -> skip
       :: else ->
          lock(cqlock);
          do
          :: nf < CAP && len(cq) > 0 -> cq ? fired[nf]; nf++
          :: nf == CAP || len(cq) == 0 -> break
          od;
          unlock(cqlock)
       fi
     };
#ifdef WRONG_ORDER
     if
     :: readable -> efd = 0           /* BUG: reset after the drain */
     :: else -> skip
     fi;
#endif
#ifdef CLEAR_AFTER_DRAIN
     wake_pending = 0;                /* BUG: cleared after the drain */
#endif

     /* @c ndl__core_dispatch_fired */
     k = 0;
     do
     :: k < nf ->
        /* @c dispatch_work : the after-callback, exactly once */
        d_step {
          t = fired[k];
          assert(t < nsub && !ran[t]);
          ran[t] = 1;
          nran++
        };
        maybe_submit();
        k++
     :: else -> break
     od
  :: else -> break
  od;
  loop_done = 1;

  /* @c ndl_loop_free */
  /* @c linux_destroy */
#ifndef STOP_NO_LOCK
  atomic {
    lock(qlock);
    pool_stop = 1;
    cond_broadcast();
    unlock(qlock)
  };
#else
  pool_stop = 1;                      /* BUG: no lock */
  cond_broadcast();
#endif
  j = 0;
  do
  :: j < NW -> exited[j] == 1; j++    /* pthread_join, in order */
  :: else -> break
  od;
  all_joined = 1;
  /* Frees work still held: queued and not started, or finished and not
   * handed back (only after a stop). */
  do
  :: nempty(sq) -> sq ? t; nfreed++
  :: empty(sq) -> break
  od;
  do
  :: nempty(cq) -> cq ? t; nfreed++
  :: empty(cq) -> break
  od;
  /* Every task accounted for exactly once. */
  assert(nran + nfreed == nsub);
  t = 0;
  do
  :: t < nsub -> assert(ran[t] || stop_req); t++
  :: else -> break
  od;
#ifndef STOPPER
  assert(nfreed == 0 && (!timer_armed || timer_fired));
#endif
  assert(empty(sq) && empty(cq) && qlock == 0 && cqlock == 0 && idle == 0)
}

/* ---- a pool thread -------------------------------------------------- */

proctype Worker(byte me) {
  byte t;
  bit got;

  /* @c worker_main */
  do
  :: true ->
     /* @c next_task */
     lock(qlock);
     do
     :: pool_stop -> break
     :: !pool_stop && nempty(sq) -> break
     :: !pool_stop && empty(sq) -> cond_wait(me)
     od;
     atomic {
       if
       :: !pool_stop ->
          sq ? t; got = 1;
          /* @c next_task : more queued: pass the wake-up on */
          if
          :: nempty(sq) -> wake_one()
          :: else -> skip
          fi
       :: else -> got = 0
       fi;
       unlock(qlock)
     };
     if
     :: !got -> break
     :: else -> skip
     fi;

     /* @c run_task */
#ifdef STOPPER
     /* (Without a stopper no task is in flight at destroy, and the delay
      * is only time passing: left out, to keep the state space small.) */
     if
     :: true -> skip                  /* no delay */
     :: true ->
        /* @c ndl__lx_sleep_for : the task's delay, cut short by destroy. A timed
         * wait always ends (time passes), so only what it sees counts. */
        atomic {
          lock(qlock);
          if
          :: pool_stop -> got = 0     /* never runs: freed here */
          :: else -> skip
          fi;
          unlock(qlock)
        }
     fi;
#endif
     if
     :: !got -> nfreed++
     :: else ->
        /* the task body runs here, holding no lock */
        /* @c complete_task */
#if !defined(WRITE_BEFORE_PUSH) && !defined(EXCHANGE_BEFORE_PUSH)
        atomic { lock(cqlock); cq ! t; unlock(cqlock) };
        /* @c complete_task : if (atomic_exchange(&wake_pending, 1) != 0)
         * return; only the first completion since the loop's clear rings */
        if
        :: atomic { wake_pending == 0 -> wake_pending = 1 };
#ifndef LOST_WAKEUP
           efd = 1                    /* write(efd, 1) */
#else
           skip                       /* BUG: no write */
#endif
        :: atomic { wake_pending == 1 -> skip }     /* rung already */
        fi
#elif defined(WRITE_BEFORE_PUSH)
        if                            /* BUG: rings before the push */
        :: atomic { wake_pending == 0 -> wake_pending = 1 }; efd = 1
        :: atomic { wake_pending == 1 -> skip }
        fi;
        atomic { lock(cqlock); cq ! t; unlock(cqlock) }
#else
        if                            /* BUG: exchanges before the push */
        :: atomic { wake_pending == 0 -> wake_pending = 1 };
           atomic { lock(cqlock); cq ! t; unlock(cqlock) };
           efd = 1                    /* ... and writes after it */
        :: atomic { wake_pending == 1 -> skip };
           atomic { lock(cqlock); cq ! t; unlock(cqlock) }
        fi
#endif
     fi
  od;
  exited[me] = 1
}

/* ---- the environment ----------------------------------------------- */

/* Time passes: an armed timer becomes due at some point, whatever the loop
 * is doing. Passing time wakes no one; only a timeout set in epoll_wait. */
proctype Clock() {
end:
  timer_armed -> timer_due = 1
}

#ifdef STOPPER
/* Another thread calls ndl_stop() once, at any moment: before, during or
 * after the run's natural end. ("Never" is the configuration without
 * STOPPER; here a watcher may keep the loop alive, and then only the stop
 * ends it, so it must come.) */
proctype Stopper() {
  /* @c ndl_stop */
#ifndef STOP_WAKE_FIRST
  stop_req = 1;
  /* @c ndl__lx_wake */
  efd = 1
#else
  efd = 1;                            /* BUG: wake, then the flag */
  stop_req = 1
#endif
}
#endif

init {
  byte i;
  atomic {
    run Loop();
    i = 0;
    do
    :: i < NW -> run Worker(i); i++
    :: else -> break
    od;
    run Clock();
#ifdef STOPPER
    run Stopper()
#endif
  }
}
