package cron

import (
	"testing"
	"time"
)

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestNext(t *testing.T) {
	tests := []struct {
		expr, from, want string
	}{
		{"* * * * *", "2026-11-27 10:00", "2026-11-27 10:01"},
		{"*/15 * * * *", "2026-11-27 10:07", "2026-11-27 10:15"},
		{"0 0 * * *", "2026-11-27 10:07", "2026-11-28 00:00"},
		{"30 9 1 * *", "2026-11-27 10:07", "2026-12-01 09:30"},
		{"0 12 * * MON", "2026-11-27 10:07", "2026-11-30 12:00"}, // 2026-11-27 is a Friday
		{"0 12 * * 2", "2026-11-27 10:07", "2026-11-30 12:00"},   // 2 = Monday (1 = Sunday)
		{"0 12 * * 0", "2026-11-27 10:07", "2026-11-29 12:00"},   // 0 accepted as Sunday
		{"0 0 * * 2-6", "2026-11-28 10:00", "2026-11-30 00:00"},  // weekdays
		{"0 0 L * *", "2026-11-27 10:00", "2026-11-30 00:00"},
		{"0 0 L 2 *", "2027-01-01 00:00", "2027-02-28 00:00"},
		{"0 0 15W * *", "2026-11-01 00:00", "2026-11-16 00:00"}, // 15 Nov 2026 is a Sunday
		{"0 0 LW * *", "2026-01-01 00:00", "2026-01-30 00:00"},  // 31 Jan 2026 is a Saturday
		{"0 0 * * 6L", "2026-11-01 00:00", "2026-11-27 00:00"},  // last Friday
		{"0 0 * * 6#3", "2026-11-01 00:00", "2026-11-20 00:00"}, // third Friday
		{"0 0 1 JAN *", "2026-11-27 00:00", "2027-01-01 00:00"},
		{"5-10/5 4 * * *", "2026-11-27 04:06", "2026-11-27 04:10"},
		{"0 0 13 * 6", "2026-11-01 00:00", "2026-11-06 00:00"}, // day 13 OR Friday
	}
	for _, tc := range tests {
		t.Run(tc.expr+"@"+tc.from, func(t *testing.T) {
			s, err := Parse(tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Next(at(tc.from)); !got.Equal(at(tc.want)) {
				t.Fatalf("Next = %s, want %s", got.Format("2006-01-02 15:04 Mon"), tc.want)
			}
		})
	}
}

func TestNeverFires(t *testing.T) {
	s, err := Parse("0 0 30 2 *")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Next(at("2026-01-01 00:00")); !got.IsZero() {
		t.Fatalf("30 February fired at %s", got)
	}
}

func TestParseErrors(t *testing.T) {
	for _, expr := range []string{"", "* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8", "*/0 * * * *", "a * * * *", "* * * * 6#6", "5-1 * * * *", "* * * * * *", "1,,2 * * * *"} {
		if _, err := Parse(expr); err == nil {
			t.Errorf("Parse(%q) succeeded", expr)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"* * * * *", "*/5 1-3 L * 6#3", "0 0 15W JAN-MAR MON,FRI", "0 0 LW * 7L"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		s, err := Parse(expr)
		if err != nil {
			return
		}
		from := at("2026-01-01 00:00")
		if n := s.Next(from); !n.IsZero() && !n.After(from) {
			t.Fatalf("Next(%s) = %s, not after", from, n)
		}
	})
}
