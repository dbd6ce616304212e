package app

import (
	"net/url"
	"strconv"
	"time"
)

// listTab is one tab of a list of shoppers: the status it lists (as
// GET /api/sessions takes it, or "all"), its name, and what the list says
// when it is empty.
type listTab struct {
	Status, Label, Empty string
}

// statusAll is the tab of every session, whatever its status.
const statusAll = "all"

// listTabs is the one list of the tabs of the shoppers' lists: the report
// shows the drop-offs and the recovered, the sessions page every session as
// well (all).
func listTabs(withAll bool) []listTab {
	tabs := []listTab{
		{"abandoned_cart", "Abandoned carts", "No abandoned carts in this range."},
		{"checkout_dropoff", "Checkout drop-offs", "No checkout drop-offs in this range."},
		{"payment_dropoff", "Payment drop-offs", "No payment drop-offs in this range."},
		{"recovered", "Recovered", "No recovered carts in this range yet."},
	}
	if withAll {
		tabs = append(tabs, listTab{statusAll, "All", "No shoppers in this range."})
	}
	return tabs
}

// listView is what the shared list template (session_list) receives.
type listView struct {
	Title string
	Tabs  []listTab
}

// rangeChoice is the range the address names (one of rangeOptions, or
// custom dates), setting q's from and to to a preset's days ending today
// so that the range is read alike everywhere.
func rangeChoice(q url.Values, today time.Time) string {
	choice := presetRange(q.Get("range"))
	switch {
	case q.Get("from") != "" || q.Get("to") != "":
		return customRange
	case choice != "":
		days, _ := strconv.Atoi(choice)
		q.Set("from", today.AddDate(0, 0, 1-days).Format(dateLayout))
		q.Set("to", today.Format(dateLayout))
		return choice
	}
	return strconv.Itoa(defaultRangeDays)
}
