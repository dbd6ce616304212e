package funnel

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ChangeKind is what kind of store change a change is: a theme published,
// a price changed, a discount, a note of the merchant's own.
type ChangeKind string

// The kinds of store change (ChangeKinds lists them).
const (
	ChangeThemePublished ChangeKind = "theme_published"
	ChangePriceChanged   ChangeKind = "price_changed"
	ChangeDiscount       ChangeKind = "discount"
	ChangeMerchantNote   ChangeKind = "merchant_note"
)

// ChangeKinds is the one list of the kinds of store change, in the order
// the changes page offers them, each with its label.
func ChangeKinds() []ChangeKind {
	return []ChangeKind{ChangeMerchantNote, ChangeThemePublished, ChangePriceChanged, ChangeDiscount}
}

// Label names the kind for the merchant.
func (k ChangeKind) Label() string {
	switch k {
	case ChangeThemePublished:
		return "Theme published"
	case ChangePriceChanged:
		return "Price changed"
	case ChangeDiscount:
		return "Discount"
	case ChangeMerchantNote:
		return "Note"
	}
	return string(k)
}

// ParseChangeKind reads a kind of ChangeKinds.
func ParseChangeKind(s string) (ChangeKind, bool) {
	for _, k := range ChangeKinds() {
		if string(k) == s {
			return k, true
		}
	}
	return "", false
}

// Where a change was recorded from.
const (
	ChangeFromWebhook  = "webhook"
	ChangeFromMerchant = "merchant"
)

// MaxChangeDescription is the longest description of a change, in
// characters.
const MaxChangeDescription = 500

// MaxChangeAhead is how far past now a change may be dated: a day, for
// clocks that disagree and a change about to go live.
const MaxChangeAhead = 24 * time.Hour

// ChangeProblem is why a change cannot be recorded: the field at fault
// (description, kind or at) and a plain message.
type ChangeProblem struct {
	Field, Message string
}

// CheckChange is the one rule for a change a merchant records: a
// description of 1 to MaxChangeDescription characters of plain text, a
// kind of ChangeKinds, and a time no more than MaxChangeAhead after now nor
// before since, when the shop's data begins. It returns the description
// trimmed, or the problem.
func CheckChange(description string, kind string, at, now, since time.Time) (string, *ChangeProblem) {
	d := strings.TrimSpace(description)
	switch n := utf8.RuneCountInString(d); {
	case !utf8.ValidString(d) || strings.ContainsFunc(d, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		return "", &ChangeProblem{"description", "The description must be plain text."}
	case n == 0:
		return "", &ChangeProblem{"description", "Describe the change, e.g. “moved the reviews above the fold”."}
	case n > MaxChangeDescription:
		return "", &ChangeProblem{"description", "Keep the description to " + strconv.Itoa(MaxChangeDescription) + " characters; this one has " + strconv.Itoa(n) + "."}
	}
	if _, ok := ParseChangeKind(kind); !ok {
		return "", &ChangeProblem{"kind", "Choose what kind of change it is: " + kindList() + "."}
	}
	switch {
	case at.After(now.Add(MaxChangeAhead)):
		return "", &ChangeProblem{"at", "The change can be dated at most a day from now."}
	case at.Before(since):
		return "", &ChangeProblem{"at", "The change is dated before your store's first data in Funnelscope; pick a later time."}
	}
	return d, nil
}

func kindList() string {
	var s []string
	for _, k := range ChangeKinds() {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}
