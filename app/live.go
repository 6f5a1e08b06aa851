package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/bbb"
	"github.com/ratsnetz/ratsnetz/jitsi"
	"github.com/ratsnetz/ratsnetz/live"
	"github.com/ratsnetz/ratsnetz/postgres"
	"github.com/ratsnetz/ratsnetz/sqlstore"
	"github.com/ratsnetz/ratsnetz/web"
)

// openLive builds the live area: the live service (group commit of ballots,
// event hub) and, on PostgreSQL, the LISTEN/NOTIFY listener that wakes the
// hub when another instance commits live events. Settings from the
// environment (documented in .team/live.md):
//
//	RATSNETZ_LIVE_REMOTE_KINDS  vote kinds remote members may take part in
//	                            (comma list of offen, namentlich, geheim;
//	                            default offen,namentlich)
//	RATSNETZ_LIVE_LINK_GRACE    how long a remote member's live connection
//	                            may be gone before it counts as a link
//	                            failure (Go duration, default 20s; off = no
//	                            automatic detection); Config.LiveLinkGrace
//	                            (--live-link-grace) wins when set
//	RATSNETZ_BBB_URL, RATSNETZ_BBB_SECRET, RATSNETZ_BBB_SHA256=on
//	RATSNETZ_JITSI_URL, RATSNETZ_JITSI_APP_ID, RATSNETZ_JITSI_SECRET
func (m *Main) openLive(ctx context.Context, baseURL string) (web.LiveDeps, error) {
	cfg := live.Config{Store: m.DB, Logger: m.Logger}
	if v := os.Getenv("RATSNETZ_LIVE_REMOTE_KINDS"); v != "" {
		cfg.RemoteKinds = []string{}
		for _, k := range strings.Split(v, ",") {
			k = strings.TrimSpace(k)
			switch k {
			case ratsnetz.VoteOpen, ratsnetz.VoteNamed, ratsnetz.VoteSecret:
				cfg.RemoteKinds = append(cfg.RemoteKinds, k)
			case "":
			default:
				return web.LiveDeps{}, fmt.Errorf("RATSNETZ_LIVE_REMOTE_KINDS: %q ist keine Abstimmungsart (offen, namentlich, geheim)", k)
			}
		}
	}
	// Config.LiveLinkGrace (flag or environment, checked by Validate); a
	// Main built without BindFlags still reads the environment.
	setting := m.Config.LiveLinkGrace
	if setting == "" {
		setting = os.Getenv("RATSNETZ_LIVE_LINK_GRACE")
	}
	grace, ok := ParseLinkGrace(setting)
	if !ok {
		return web.LiveDeps{}, fmt.Errorf("RATSNETZ_LIVE_LINK_GRACE: %q ist keine Dauer von mindestens 2s (z. B. 20s) und nicht „off“", setting)
	}
	video, open, err := liveVideo(baseURL, m.Now)
	if err != nil {
		return web.LiveDeps{}, err
	}
	svc := live.New(cfg)
	// Sessions of the live area's request bursts resolve from memory for
	// 30 s (the session's activity is written once a minute anyway); a post
	// outside the live area on this instance empties the cache.
	deps := web.LiveDeps{Service: svc, Video: video, VideoOpen: open, SessionCache: 30 * time.Second}
	if grace > 0 {
		beat := min(ratsnetz.DefaultLinkBeat, grace/4)
		deps.Links = live.NewLinkWatch(live.LinkConfig{Store: m.DB, Hub: svc.Hub, Logger: m.Logger, Grace: grace, Beat: beat})
		deps.Links.Start()
	}
	stopListen := func() {}
	if m.Config.IsPostgres() {
		lctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			postgres.Listen(lctx, m.Config.DatabaseURL, sqlstore.LiveNotifyChannel, m.Logger, func(p string) {
				if id, err := strconv.ParseInt(p, 10, 64); err == nil && id > 0 {
					svc.Hub.Wake(id)
				} else {
					svc.Hub.WakeAll()
				}
			})
		}()
		stopListen = func() { cancel(); wg.Wait() }
	}
	// Streams end when shutdown begins (the server waits for them otherwise);
	// clients reconnect to another instance or after the restart and resume.
	m.onShutdown = append(m.onShutdown, func() { svc.Hub.Close() })
	m.closers = append(m.closers, func() error {
		stopListen()
		if deps.Links != nil {
			deps.Links.Close()
		}
		return svc.Close()
	})
	return deps, nil
}

// videoLink is a personal link into a meeting's video room.
type videoLink = func(ctx context.Context, meetingID int64, name, userID string, moderator bool) (string, error)

// liveVideo configures BigBlueButton or Jitsi from the environment: the
// personal join links and, for BigBlueButton, the opening of the room (the
// create call); nil when neither is set.
func liveVideo(baseURL string, now func() time.Time) (videoLink, func(ctx context.Context, meetingID int64, name string) error, error) {
	if u := os.Getenv("RATSNETZ_BBB_URL"); u != "" {
		secret := os.Getenv("RATSNETZ_BBB_SECRET")
		c, err := bbb.New(bbb.Config{URL: u, Secret: secret, SHA256: os.Getenv("RATSNETZ_BBB_SHA256") == "on"})
		if err != nil {
			return nil, nil, fmt.Errorf("BigBlueButton-Einstellungen: %w", err)
		}
		// Room passwords derive from the shared secret: nothing to store,
		// the same on every instance.
		pw := func(id int64, role string) string {
			mac := hmac.New(sha256.New, []byte(secret))
			fmt.Fprintf(mac, "%d/%s", id, role)
			return hex.EncodeToString(mac.Sum(nil))[:24]
		}
		room := func(id int64, name string) bbb.Room {
			return bbb.Room{MeetingID: bbb.RoomID(id), Name: name, ModeratorPW: pw(id, "mod"), AttendeePW: pw(id, "att"),
				LogoutURL: fmt.Sprintf("%s/live/%d", baseURL, id)}
		}
		join := func(ctx context.Context, id int64, name, userID string, moderator bool) (string, error) {
			return c.JoinURL(room(id, ""), name, userID, moderator)
		}
		open := func(ctx context.Context, id int64, name string) error {
			return c.Create(ctx, room(id, name))
		}
		return join, open, nil
	}
	if u := os.Getenv("RATSNETZ_JITSI_URL"); u != "" {
		c, err := jitsi.New(jitsi.Config{URL: u, AppID: os.Getenv("RATSNETZ_JITSI_APP_ID"), Secret: os.Getenv("RATSNETZ_JITSI_SECRET")})
		if err != nil {
			return nil, nil, fmt.Errorf("Jitsi-Einstellungen: %w", err)
		}
		// A Jitsi room exists as soon as someone with a valid token joins.
		return func(ctx context.Context, id int64, name, userID string, moderator bool) (string, error) {
			return c.JoinURL(jitsi.RoomName(id), jitsi.User{ID: userID, Name: name, Moderator: moderator}, now())
		}, nil, nil
	}
	return nil, nil, nil
}
