package release

// Decision is one person's approval or rejection of a waiting approval step. The release
// actions service has checked that the person may approve in the step's environment; the
// runner checks the rest (the step waits, the person is not the initiator unless the step
// allows it, belongs to the step's groups, and has not decided already).
type Decision struct {
	ReleaseID   string
	StepRunID   int64
	Environment string // the step's environment, as the person saw it ("" for release hooks)
	User        string
	Groups      []string
	Approve     bool
	Comment     string
}
