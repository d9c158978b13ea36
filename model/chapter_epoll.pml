/*
 * chapter_epoll.pml -- the chapter's runtime design (Rust, the "Node event loop"
 * chapter: Runtime::new, Runtime::run, get_next_timer, minimio::Poll), run
 * on the smallest program that shows its defect: one timer and nothing
 * else ("50ms of work, then set_timeout(1000)").
 *
 * The design: a separate epoll thread loops { lock the shared
 * `epoll_timeout: Arc<Mutex<Option<i32>>>` (initially None = infinite),
 * copy it, unlock, poll.poll(timeout) }, and sends what it saw to the main
 * loop over an mpsc channel. The main loop, at each tick, computes the time
 * to the next timer, stores it in `epoll_timeout`, and blocks in
 * event_reciever.recv(). Nothing makes the epoll thread re-read the value:
 * if it copied None before the loop stored the timer's timeout, it sleeps in
 * epoll_wait(-1) while the loop sleeps in recv(). With no socket and no pool
 * task, no one ever wakes either: the program never ends and the timer
 * never fires. spin finds this as an invalid end state, and as a violation
 * of [] (timer_due -> <> timer_fired) under weak fairness.
 *
 * -DFIXED adds the missing step (the loop kicks the epoll thread through an
 * eventfd after storing a new timeout, so it copies it again): then every
 * check passes, which shows the properties are not failing by accident.
 *
 * Steps name the chapter's Rust function as "@chapter NAME" (not "@c": this is
 * not nodeloop's code, and ci/model-names skips it).
 *
 * Abstractions:
 *   - Option<i32> is NONE / ZERO / FIN ("the time left to the timer").
 *   - poll() returns when an fd is readable; with nothing ready it returns
 *     only when the timeout is not None, and a FIN timeout running out means
 *     the clock has reached the timer's deadline.
 *   - The mpsc channel only ever carries PollEvent::Timeout here, which the
 *     loop treats as a no-op; an unbounded queue of identical no-ops is kept
 *     as "at most one queued" (the epoll thread does not block on a full
 *     channel: it drops the duplicate), which changes the number of empty
 *     ticks and nothing else.
 *   - One pool thread stands for the four: none is given a task; each only
 *     waits for Event::close() at shutdown.
 */

#define NONE 0     /* None: epoll_wait(-1) */
#define ZERO 1     /* Some(0) */
#define FIN  2     /* Some(n), n > 0: the time to the timer */

mtype = { TIMEOUT, CLOSE };

byte epoll_timeout = NONE;        /* Arc<Mutex<Option<i32>>> */
bit  tlock;                       /* its Mutex */

chan events  = [1] of { mtype };  /* PollEvent channel to the main loop */
chan pool_ch = [1] of { mtype };  /* Event channel to the pool thread */

bit  timer_set, timer_due, timer_fired;
byte pending_events;
bit  poll_dead;                   /* minimio's is_poll_dead */
bit  close_fd;                    /* close_loop's eventfd(1): readable */
bit  epoll_exited, pool_exited, finished;
bit  stored_once;                 /* ghost: the loop stored a timeout */
bit  wake_fd;                     /* -DFIXED only: an eventfd in the set */

#ifndef NOLTL
/* The timer, once due, is fired; and the program ends. */
ltl timer_fires { [] (timer_due -> <> timer_fired) }
ltl finishes    { <> finished }
#endif

inline lock(m)   { atomic { m == 0 -> m = 1 } }
inline unlock(m) { assert(m == 1); m = 0 }

/* The main thread: Runtime::run(javascript). */
proctype Main() {
  byte next;

  /* @chapter javascript : 50ms of work, then set_timeout(1000, ..) */
  timer_set = 1;
  pending_events = 1;

  /* @chapter Runtime::run : while self.pending_events > 0 */
  do
  :: pending_events > 0 ->
     /* @chapter Runtime::process_expired_timers */
     /* @chapter Runtime::run_callbacks */
     if
     :: timer_set && timer_due && !timer_fired ->
        timer_fired = 1;              /* "SETTIMEOUT" */
        pending_events--
     :: else -> skip
     fi;
     if
     :: pending_events == 0 -> break
     :: else -> skip
     fi;

     /* @chapter Runtime::get_next_timer */
     if
     :: timer_set && !timer_fired && timer_due -> next = ZERO
     :: timer_set && !timer_fired && !timer_due -> next = FIN
     :: else -> next = NONE
     fi;
     /* *self.epoll_timeout.lock() = next_timeout */
     lock(tlock);
     epoll_timeout = next;
     stored_once = 1;
     unlock(tlock);
#ifdef FIXED
     /* The repair, to show the model can pass: after storing, kick the
      * epoll thread so that it copies the new timeout. */
     wake_fd = 1;
#endif

     /* @chapter Runtime::run : self.event_reciever.recv() */
     events ? TIMEOUT                 /* PollEvent::Timeout => () */
  :: else -> break
  od;

  /* @chapter Runtime::run : shutdown */
  pool_ch ! CLOSE;                    /* thread.sender.send(Event::close()) */
  pool_exited == 1;                   /* thread.handle.join() */
  /* @chapter Registrator::close_loop */
  poll_dead = 1;
  close_fd = 1;
  epoll_exited == 1;                  /* self.epoll_thread.join() */
  finished = 1                        /* "FINISHED" */
}

/* The "epoll" thread spawned by Runtime::new. */
proctype EpollThread() {
  byte t;
  bit ready;

  do
  :: true ->
     /* @chapter Runtime::new : epoll thread, copy the shared timeout */
     lock(tlock);
     t = epoll_timeout;
     unlock(tlock);

     /* @chapter Poll::poll : Selector::select -> epoll_wait(fd, .., t) */
     atomic { (close_fd || wake_fd || t != NONE) -> /* epoll_wait(t) */
       if
       :: close_fd -> ready = 1
       :: wake_fd && !close_fd -> ready = 1; wake_fd = 0  /* FIXED only */
       :: !close_fd && t == ZERO -> ready = 0
       :: !close_fd && t == FIN ->    /* the timeout ran out */
          ready = 0;
          timer_due = 1
       fi
     };
     if
     :: poll_dead -> break            /* Err(Interrupted): "Close" */
     :: else ->
        if
        :: ready -> skip              /* no socket in this program */
        :: else ->                    /* Ok(0): send PollEvent::Timeout */
           atomic {
             if
             :: len(events) == 0 -> events ! TIMEOUT
             :: len(events) != 0 -> skip
             fi
           }
        fi
     fi
  od;
  epoll_exited = 1
}

/* A pool thread: given no task, it waits for Event::close(). */
proctype PoolThread() {
end:
  pool_ch ? CLOSE;
  pool_exited = 1
}

/* Time passes: the timer becomes due. That wakes no one by itself.
 * The scenario is "50ms of work, then a 1000ms timer": the loop's first
 * tick comes long before the deadline, so by default the clock reaches it
 * only after the loop has stored its first timeout. -DANY_TIME drops that
 * assumption (the timer may be due at any moment); the hang is found
 * either way. */
proctype Clock() {
end:
#ifndef ANY_TIME
  timer_set && stored_once -> timer_due = 1
#else
  timer_set -> timer_due = 1
#endif
}

init {
  atomic {
    /* @chapter Runtime::new : the pool and the epoll thread start here,
     * before javascript() has run and before the loop's first tick. */
    run EpollThread();
    run PoolThread();
    run Main();
    run Clock()
  }
}
