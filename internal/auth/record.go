package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/fault"
)

// Session is one signed-in browser, as its user sees it on their account page.
type Session struct {
	ID        int64
	CreatedAt time.Time
	UserAgent string
	Address   string
	Current   bool // the session of the request that lists them
}

func hashID(sid string) string {
	sum := sha256.Sum256([]byte(sid))
	return hex.EncodeToString(sum[:])
}

// alive reports whether the session sid of userID still has its record.
func (s *Sessions) alive(ctx context.Context, sid string, userID int64) bool {
	if sid == "" {
		return false
	}
	owner, err := s.live.Get(sid, func() (int64, error) { return s.q.GetSessionUser(ctx, hashID(sid)) })
	return err == nil && owner == userID // ended (or unreadable): the caller is anonymous
}

// record stores the session sid of userID, and forgets sessions past their absolute lifetime.
func (s *Sessions) record(r *http.Request, sid string, userID int64, address string) error {
	now := s.now().UTC()
	agent := []rune(r.UserAgent())
	if len(agent) > 200 {
		agent = agent[:200]
	}
	return db.InTx(r.Context(), s.db, func(q *db.Queries) error {
		if err := q.DeleteSessionsCreatedBefore(r.Context(), now.Add(-AbsoluteTimeout)); err != nil {
			return fmt.Errorf("forget old sessions: %w", err)
		}
		err := q.CreateSession(r.Context(), db.CreateSessionParams{TokenHash: hashID(sid), UserID: userID,
			CreatedAt: now, UserAgent: string(agent), Address: address})
		if err != nil {
			return fmt.Errorf("record session: %w", err)
		}
		return nil
	})
}

// sessionID returns the session id in r's cookie, "" when there is none.
func (s *Sessions) sessionID(r *http.Request) string {
	sess, err := s.store.New(r, CookieName)
	if err != nil || sess.IsNew {
		return ""
	}
	sid, _ := sess.Values[keyID].(string)
	return sid
}

// List returns userID's sessions, newest first, marking the one r comes from.
func (s *Sessions) List(r *http.Request, userID int64) ([]Session, error) {
	rows, err := s.q.ListSessionsOfUser(r.Context(), db.ListSessionsOfUserParams{UserID: userID,
		CreatedAt: s.now().UTC().Add(-AbsoluteTimeout)})
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	current := hashID(s.sessionID(r))
	out := make([]Session, 0, len(rows))
	for _, row := range rows {
		out = append(out, Session{ID: row.ID, CreatedAt: row.CreatedAt, UserAgent: row.UserAgent,
			Address: row.Address, Current: row.TokenHash == current})
	}
	return out, nil
}

// End ends userID's session id (one of List's).
func (s *Sessions) End(ctx context.Context, userID, id int64) error {
	n, err := s.q.DeleteSessionOfUser(ctx, db.DeleteSessionOfUserParams{ID: id, UserID: userID})
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("session %d: %w", id, fault.ErrNotFound)
	}
	return nil
}

// EndOthers ends every session of userID but the one r comes from.
func (s *Sessions) EndOthers(r *http.Request, userID int64) error {
	_, err := s.q.DeleteOtherSessionsOfUser(r.Context(), db.DeleteOtherSessionsOfUserParams{UserID: userID,
		TokenHash: hashID(s.sessionID(r))})
	if err != nil {
		return fmt.Errorf("end other sessions: %w", err)
	}
	return nil
}

// EndAll ends every session of the user userID called name, with an audit record of why.
func (s *Sessions) EndAll(ctx context.Context, userID int64, name, why string) error {
	return db.InTx(ctx, s.db, func(q *db.Queries) error {
		n, err := q.DeleteSessionsOfUser(ctx, userID)
		if err != nil {
			return fmt.Errorf("end sessions of %q: %w", name, err)
		}
		return audit.Record(ctx, q, s.now().UTC(), audit.Entry{Actor: audit.Actor(ctx), Action: "sign-out",
			Kind: "user", Name: name, Detail: fmt.Sprintf("%s: %d sessions ended", why, n)})
	})
}
