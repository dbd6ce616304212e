// Package alertstest holds what tests of alerts share: the check of a chat
// message against Slack's limits, used on the messages the alerts package
// builds and on those a test's chat webhook receives.
package alertstest

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// Slack's Block Kit limits (api.slack.com/reference/block-kit), written
// here apart from the alerts package's own, so that a mistake there shows.
const (
	slackText     = 3000 // the top-level text
	slackBlocks   = 50
	slackHeader   = 150
	slackSection  = 3000
	slackFields   = 10
	slackField    = 2000
	slackContext  = 10
	slackActions  = 25
	slackButton   = 75
	slackURL      = 3000
	slackAllBlock = 12000 // the blocks' text in all; beyond it Slack answers msg_blocks_too_long
)

// ChatMessage is a chat message as Slack reads its JSON.
type ChatMessage struct {
	Text   string
	Blocks []Block
}

// Block is one block of a ChatMessage.
type Block struct {
	Type     string
	Text     *Text
	Fields   []Text
	Elements []struct {
		Type string
		URL  string
		Text json.RawMessage // a button's is an object, a context element's a string
	}
}

// Text is a text object: plain_text or mrkdwn.
type Text struct{ Type, Text string }

// ParseChat decodes a chat message's JSON, failing the test if it is not one.
func ParseChat(t testing.TB, body []byte) ChatMessage {
	t.Helper()
	var msg ChatMessage
	if err := json.Unmarshal(body, &msg); err != nil {
		t.Fatalf("chat message: %v", err)
	}
	return msg
}

// mrkdwnLink is a link in Slack's mrkdwn, <url|label>.
var mrkdwnLink = regexp.MustCompile(`<https?://[^<>|]*\|[^<>]*>`)

// CheckSlackLimits fails the test for any part of the chat message body
// beyond Slack's Block Kit limits: header text 150 characters, section
// text 3000, at most 10 section fields of 2000, 50 blocks, button text 75
// and URL 3000; the top-level text within 3000 too; and at most 12,000
// characters of block text in all. It also fails it for mrkdwn whose &, <
// and > are not escaped outside links, which Slack would read as markup.
func CheckSlackLimits(t testing.TB, body []byte) {
	t.Helper()
	msg := ParseChat(t, body)
	n := utf8.RuneCountInString
	over := func(what string, got, limit int) {
		t.Helper()
		if got > limit {
			t.Errorf("chat message: %s is %d, over Slack's %d", what, got, limit)
		}
	}
	escaped := func(s string) {
		t.Helper()
		rest := mrkdwnLink.ReplaceAllString(s, "")
		if strings.ContainsAny(rest, "<>") ||
			strings.Count(rest, "&") != strings.Count(rest, "&amp;")+strings.Count(rest, "&lt;")+strings.Count(rest, "&gt;") {
			t.Errorf("chat message: mrkdwn not escaped: %.300q", s)
		}
	}
	over("top-level text", n(msg.Text), slackText)
	over("blocks", len(msg.Blocks), slackBlocks)
	total := 0
	for i, b := range msg.Blocks {
		if b.Text != nil {
			total += n(b.Text.Text)
		}
		switch b.Type {
		case "header":
			if b.Text == nil || b.Text.Type != "plain_text" {
				t.Errorf("block %d: a header without plain text", i)
				continue
			}
			over("a header's text", n(b.Text.Text), slackHeader)
		case "section":
			if b.Text != nil {
				over("a section's text", n(b.Text.Text), slackSection)
				escaped(b.Text.Text)
			}
			over("a section's fields", len(b.Fields), slackFields)
			for _, f := range b.Fields {
				over("a field's text", n(f.Text), slackField)
				escaped(f.Text)
				total += n(f.Text)
			}
		case "context":
			over("a context's elements", len(b.Elements), slackContext)
			for _, e := range b.Elements {
				var s string
				if err := json.Unmarshal(e.Text, &s); err != nil {
					t.Fatalf("context element %s: %v", e.Text, err)
				}
				over("a context element's text", n(s), slackSection)
				escaped(s)
				total += n(s)
			}
		case "actions":
			over("an actions block's elements", len(b.Elements), slackActions)
			for _, e := range b.Elements {
				var label Text
				if err := json.Unmarshal(e.Text, &label); err != nil || e.Type != "button" {
					t.Fatalf("action %s %s: %v", e.Type, e.Text, err)
				}
				over("a button's text", n(label.Text), slackButton)
				over("a button's URL", n(e.URL), slackURL)
			}
		default:
			t.Errorf("block %d: unexpected type %q", i, b.Type)
		}
	}
	over("the blocks' text in all", total, slackAllBlock)
}
