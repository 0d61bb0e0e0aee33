package runner

import (
	"context"
	"fmt"
	"strings"
	"time"

	"ladder/internal/release"
	"ladder/internal/workflow"
)

// approvalRecheck is how often a waiting approval step looks again by itself; a decision
// wakes it at once.
const approvalRecheck = time.Minute

// approvalStep pauses until Required distinct people approve; one rejection fails it.
// Decisions are taken by Runner.Decide, which checks who may decide.
type approvalStep struct{ spec *workflow.ApprovalStep }

func (a approvalStep) run(ctx context.Context, c *stepCall) stepResult {
	votes, err := c.r.q.ListApprovalsOfStep(ctx, c.row.ID)
	if err != nil {
		return waiting(c.r.now().Add(5*time.Second), "cannot read the approvals yet: "+err.Error())
	}
	var approvers []string
	for _, v := range votes {
		if v.Decision == decisionReject {
			c.log.Printf("rejected by %s%s", v.User, comment(v.Comment))
			return failed("rejected by %s%s", v.User, comment(v.Comment))
		}
		approvers = append(approvers, v.User)
	}
	required := max(a.spec.Required, 1)
	if len(approvers) >= required {
		c.log.Printf("approved by %s", strings.Join(approvers, ", "))
		return succeeded(nil)
	}
	return waiting(c.r.now().Add(approvalRecheck), a.blocker(c.sc.rel, len(approvers), required))
}

// blocker is the sentence a waiting approval shows: "waiting for approval: 1 of 2 (groups: sre)".
func (a approvalStep) blocker(rel release.Release, got, required int) string {
	who := "anyone who may approve here"
	if len(a.spec.Groups) > 0 {
		who = "groups: " + strings.Join(a.spec.Groups, ", ")
	}
	s := fmt.Sprintf("%s: %d of %d (%s)", release.BlockerApproval, got, required, who)
	if !a.spec.AllowSelfApproval {
		s += "; " + rel.Initiator + ", who started the release, may not approve"
	}
	return s
}

func comment(c string) string {
	if c == "" {
		return ""
	}
	return ": " + c
}
