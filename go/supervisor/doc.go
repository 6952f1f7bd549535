// Package supervisor is chapter 3's supervision, Erlang/OTP's supervisor
// made deterministic: a supervisor starts its children, and when one
// terminates it decides, by the child's restart type and its own strategy,
// which to restart; past its restart intensity it gives up, terminating its
// children in reverse start order, and its own supervisor reacts in turn.
//
// One concern per file:
//
//   - spec.go: [Spec] and [ChildSpec] ([Strategy], [Restart], [Kind]), and
//     [Reason]; [ParseSpec] reads the JSON form and rejects an invalid
//     tree with a [SpecError] that names the field.
//   - tree.go: [Tree], the rules as a state machine with no goroutine and no
//     clock of its own: [Tree.Start] and [Tree.Exit] take the time and
//     return the action log ("start PATH", "terminate PATH", "give_up
//     PATH"). The conformance vectors drive it.
//   - supervisor.go: [Supervisor], the runtime: it carries out a Tree's
//     actions on real children, learns of their ends, and serialises every
//     event through one goroutine.
//   - child.go: the [Child] interface a worker implements, and
//     [ActorWorker], an actor (package twinbook/actor) as a worker.
//   - process.go: [ProcessSpec] and [Process], an operating-system process as a
//     worker (the project's one process launcher)
//     (SIGTERM, then SIGKILL after a grace period).
//
// Python's twinbook.supervisor has the same concepts under the same names.
package supervisor
