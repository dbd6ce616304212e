package funnel

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestDeviceOf(t *testing.T) {
	for _, c := range []struct {
		name  string
		ua    string
		width int
		want  Device
	}{
		{"iPhone", uaIPhone, 390, DeviceMobile},
		{"Android phone", uaAndroid, 412, DeviceMobile},
		{"iPad in Chrome says iPad", uaIPad, 820, DeviceTablet},
		{"iPadOS Safari sends the Mac user agent: desktop", uaIPadDesktop, 820, DeviceDesktop},
		{"Android tablet has no Mobile", uaAndroidTablet, 1200, DeviceTablet},
		{"Galaxy Tab", "Mozilla/5.0 (Linux; Android 12; SM-T970 Build/SP1A) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36", 800, DeviceTablet},
		{"Kindle Fire", "Mozilla/5.0 (Linux; Android 9; KFMAWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/120.3.1 like Chrome/120 Safari/537.36", 800, DeviceTablet},
		{"Windows desktop", uaDesktop, 1440, DeviceDesktop},
		{"desktop in a narrow window stays desktop", uaDesktop, 500, DeviceDesktop},
		{"Linux Firefox", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", 1280, DeviceDesktop},
		{"no user agent, phone width", "", 375, DeviceMobile},
		{"no user agent, tablet width", "", 800, DeviceTablet},
		{"no user agent, wide", "", 1280, DeviceDesktop},
		{"nothing known", "  ", 0, DeviceUnknown},
	} {
		if got := DeviceOf(c.ua, c.width); got != c.want {
			t.Errorf("%s: DeviceOf = %s, want %s", c.name, got, c.want)
		}
	}
}

func TestIsBot(t *testing.T) {
	bots := []string{
		uaGooglebot,
		"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
		"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
		"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
		"Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1",
		"Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse",
		"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
		"Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
		"Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
		"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
		"Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
		"curl/8.5.0",
		"python-requests/2.32.3",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Puppeteer",
	}
	for _, ua := range bots {
		if !IsBot(ua) {
			t.Errorf("IsBot(%q) = false", ua)
		}
	}
	people := []string{
		uaIPhone, uaIPad, uaIPadDesktop, uaDesktop, uaAndroid, uaAndroidTablet, "",
		"Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 309.0.0.40.113",
	}
	for _, ua := range people {
		if IsBot(ua) {
			t.Errorf("IsBot(%q) = true", ua)
		}
	}
}

func TestPageTypeOf(t *testing.T) {
	for path, want := range map[string]PageType{
		"":                                 PageHome,
		"/":                                PageHome,
		"/en":                              PageHome,
		"/fr-ca/":                          PageHome,
		"/EN-US":                           PageHome,
		"/?utm_source=x":                   PageHome,
		"/collections":                     PageCollection,
		"/collections/all":                 PageCollection,
		"/collections/summer?filter.v.p=1": PageCollection,
		"/de/collections/summer":           PageCollection,
		"/collections/summer/products/mug": PageProduct,
		"/collections/summer/products":     PageCollection,
		"/products/mug":                    PageProduct,
		"/products/mug#reviews":            PageProduct,
		"/en/products/mug":                 PageProduct,
		"/products":                        PageCollection,
		"/search":                          PageSearch,
		"/search?q=mug":                    PageSearch,
		"/cart":                            PageCart,
		"/pages/about":                     PagePage,
		"/blogs/news/post":                 PageOther,
		"/checkouts/cn/abc/en-us":          PageOther,
		"/account":                         PageOther,
		"/en/blogs":                        PageOther,
	} {
		if got := PageTypeOf(path); got != want {
			t.Errorf("PageTypeOf(%q) = %s, want %s", path, got, want)
		}
	}
}

func TestSourceOf(t *testing.T) {
	const shop = "shop.example"
	for _, c := range []struct {
		name                 string
		utmSource, utmMedium string
		referrer, storefront string
		want                 TrafficSource
	}{
		{"no referrer", "", "", "", shop, SourceDirect},
		{"self-referral", "", "", "shop.example", shop, SourceDirect},
		{"self-referral with www and port", "", "", "www.shop.example:443", shop, SourceDirect},
		{"the myshopify domain", "", "", "shop.myshopify.com", shop, SourceDirect},
		{"Google", "", "", "www.google.com", shop, SourceSearch},
		{"Google UK", "", "", "www.google.co.uk", shop, SourceSearch},
		{"Bing", "", "", "bing.com", shop, SourceSearch},
		{"DuckDuckGo", "", "", "duckduckgo.com", shop, SourceSearch},
		{"Instagram", "", "", "l.instagram.com", shop, SourceSocial},
		{"Facebook mobile", "", "", "m.facebook.com", shop, SourceSocial},
		{"t.co", "", "", "t.co", shop, SourceSocial},
		{"Gmail", "", "", "mail.google.com", shop, SourceEmail},
		{"Klaviyo click tracker", "", "", "trk.klclick.com", shop, SourceEmail},
		{"a blog", "", "", "someblog.example.org", shop, SourceOther},
		{"not google: a lookalike label is last", "", "", "notgoogle", shop, SourceOther},
		{"UTM email beats referrer", "klaviyo", "email", "www.google.com", shop, SourceEmail},
		{"UTM paid", "google", "cpc", "www.google.com", shop, SourcePaid},
		{"UTM paid social", "facebook", "paid_social", "", shop, SourcePaid},
		{"UTM social", "instagram", "social", "", shop, SourceSocial},
		{"UTM source only, social network", "Facebook", "", "", shop, SourceSocial},
		{"UTM organic", "google", "organic", "", shop, SourceSearch},
		{"UTM unknown", "partner-site", "referral", "", shop, SourceOther},
	} {
		if got := SourceOf(c.utmSource, c.utmMedium, c.referrer, c.storefront); got != c.want {
			t.Errorf("%s: SourceOf = %s, want %s", c.name, got, c.want)
		}
	}
}

func TestKeptQueryDropsPersonalParameters(t *testing.T) {
	got := KeptQuery("?email=a%40b.example&utm_source=news&q=jane+doe&filter.v.price.gte=10&sort_by=price&first_name=Jane&variant=42")
	if want := "filter.v.price.gte=10&sort_by=price&utm_source=news&variant=42"; got != want {
		t.Errorf("KeptQuery = %q, want %q", got, want)
	}
	if got := KeptQuery(""); got != "" {
		t.Errorf("KeptQuery(\"\") = %q", got)
	}
}

func TestReferrerHost(t *testing.T) {
	for in, want := range map[string]string{
		"https://www.Google.com/search?q=x": "www.google.com",
		"https://shop.example:8443/a":       "shop.example",
		"":                                  "",
		"not a url":                         "",
		"/relative/path":                    "",
	} {
		if got := ReferrerHost(in); got != want {
			t.Errorf("ReferrerHost(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAgentsAnswerAsTheRules checks the memo against IsBot and DeviceOf
// over a sequence of user agents and widths that repeats, alternates, and
// keeps a user agent while its width changes (a blank one's device is its
// width's), then over a random one of three times as many user agents as
// it remembers, so that it forgets and reads them again.
func TestAgentsAnswerAsTheRules(t *testing.T) {
	uas := []string{uaIPhone, uaIPhone, uaGooglebot, uaIPhone, "", "", "  ", uaDesktop, "", uaAndroidTablet, uaGooglebot, uaGooglebot}
	widths := []int{390, 1200, 0, 800, 375, 1280, 800, 0, 0, 1200, 390, 1440}
	r := rand.New(rand.NewPCG(5, 6))
	kinds := []string{uaIPhone, uaGooglebot, uaDesktop, uaAndroidTablet, "", " "}
	for range 500 {
		ua := kinds[r.IntN(len(kinds))]
		if ua != "" && ua != " " {
			// Tags of one length that classify apart: a memo that
			// answered for another user agent of that length fails.
			ua += " " + []string{"Xbot", "Xapp", "Mobile", "Mobble"}[r.IntN(4)] + "/" + strconv.Itoa(r.IntN(2))
		}
		uas, widths = append(uas, ua), append(widths, []int{0, 375, 800, 1440}[r.IntN(4)])
	}
	var a Agents
	for i, ua := range uas {
		w := widths[i]
		if got, want := a.Bot(ua), IsBot(ua); got != want {
			t.Errorf("step %d: Bot(%q) = %v, IsBot %v", i, ua, got, want)
		}
		if got, want := a.Device(ua, w), DeviceOf(ua, w); got != want {
			t.Errorf("step %d: Device(%q, %d) = %s, DeviceOf %s", i, ua, w, got, want)
		}
	}
}
