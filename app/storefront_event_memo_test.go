package app

import (
	"math/rand/v2"
	"testing"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// TestPageMemoAnswersAsTheRules: through the memo, from its zero value
// on, a page's query and referrer reduce exactly as funnel.KeptQuery and
// funnel.ReferrerHost reduce them, whatever the order they come in.
func TestPageMemoAnswersAsTheRules(t *testing.T) {
	searches := []string{"", "?", "?utm_source=news&email=a%40b.c", "?q=shoes", "?filter.v.price.gte=10&sort_by=price", "?page=2"}
	referrers := []string{"", "https://www.google.com/search?q=x", "https://Example.myshopify.com/collections/all", "not a url", "android-app://com.google.android.gm/"}
	r := rand.New(rand.NewPCG(1, 2))
	var m pageMemo
	for i := range 500 {
		s, ref := searches[r.IntN(len(searches))], referrers[r.IntN(len(referrers))]
		if got, want := m.keptQuery(s), funnel.KeptQuery(s); got != want {
			t.Fatalf("step %d: the query %q kept %q through the memo, %q by the rule", i, s, got, want)
		}
		if got, want := m.referrerHost(ref), funnel.ReferrerHost(ref); got != want {
			t.Fatalf("step %d: the referrer %q gave %q through the memo, %q by the rule", i, ref, got, want)
		}
	}
}
