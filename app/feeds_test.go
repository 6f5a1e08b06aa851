package app

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/mail"
)

type captureQueue struct {
	ratsnetz.JobQueue
	jobs []ratsnetz.NewJob
}

func (q *captureQueue) EnqueueJobs(ctx context.Context, jobs ...ratsnetz.NewJob) error {
	q.jobs = append(q.jobs, jobs...)
	return nil
}

// TestJobSender: a feeds mail becomes a "mail" job whose key is a stable
// Message-ID and whose payload keeps the one-click unsubscribe URL.
func TestJobSender(t *testing.T) {
	q := &captureQueue{}
	s := jobSender{queue: q, domain: "rat.example.de"}
	m := &ratsnetz.OutgoingMail{ID: 42, To: "buerger@example.org", Subject: "Neu", Text: "Text", HTML: "<p>Text</p>",
		ListUnsubscribe: "https://rat.example.de/benachrichtigungen/abmelden/abc", Created: time.Unix(1_790_000_000, 0)}
	for i := 0; i < 2; i++ {
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	if len(q.jobs) != 2 || q.jobs[0].Kind != mail.JobKind || q.jobs[0].Key != "feeds-42-1790000000@rat.example.de" || q.jobs[1].Key != q.jobs[0].Key {
		t.Fatalf("jobs: %+v", q.jobs)
	}
	var msg mail.Message
	if err := json.Unmarshal(q.jobs[0].Payload, &msg); err != nil {
		t.Fatal(err)
	}
	if msg.ListUnsubscribe != m.ListUnsubscribe || msg.ID != q.jobs[0].Key || msg.HTML != m.HTML || msg.Body != m.Text {
		t.Errorf("payload: %+v", msg)
	}
	if err := s.Send(context.Background(), &ratsnetz.OutgoingMail{ID: 1, To: "a@example.org\r\nBcc: b@example.org", Subject: "x"}); err == nil {
		t.Error("header injection accepted")
	}
}
