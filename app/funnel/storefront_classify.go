package funnel

import (
	"regexp"
	"slices"
	"strings"
)

// Device is the kind of device a visit came from.
type Device string

// The devices. DeviceUnknown is a funnel session no visit was joined to,
// or a visit none of whose events carried a user agent.
const (
	DeviceMobile  Device = "mobile"
	DeviceTablet  Device = "tablet"
	DeviceDesktop Device = "desktop"
	DeviceUnknown Device = "unknown"
)

// Devices returns the devices of the device comparison, in its order.
func Devices() []Device { return []Device{DeviceMobile, DeviceTablet, DeviceDesktop} }

// Label returns the device as the merchant reads it.
func (d Device) Label() string {
	switch d {
	case DeviceMobile:
		return "Mobile"
	case DeviceTablet:
		return "Tablet"
	case DeviceDesktop:
		return "Desktop"
	}
	return "Unknown"
}

// The user-agent words DeviceOf looks for, lower case.
var (
	tabletWords = []string{"ipad", "tablet", "kindle", "silk/", "playbook", "nexus 7", "nexus 9", "nexus 10"}
	mobileWords = []string{"mobi", "iphone", "ipod", "android", "windows phone", "blackberry", "bb10", "opera mini", "webos"}
)

// containsAny reports whether s contains one of words.
func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// samsungTablet reports whether a lower-case user agent names a Samsung
// Galaxy Tab model ("sm-t…" followed by a digit, or "sm-x…").
func samsungTablet(ua string) bool {
	for _, p := range []string{"sm-t", "sm-x"} {
		for i := strings.Index(ua, p); i >= 0; {
			if j := i + len(p); j < len(ua) && ua[j] >= '0' && ua[j] <= '9' {
				return true
			}
			next := strings.Index(ua[i+1:], p)
			if next < 0 {
				break
			}
			i += 1 + next
		}
	}
	return false
}

// Widths DeviceOf falls back on when there is no user agent: below
// MobileMaxWidth CSS pixels a phone, below TabletMaxWidth a tablet.
const (
	MobileMaxWidth = 768
	TabletMaxWidth = 1024
)

// DeviceOf classifies a visit's device from its first event's user agent
// and window.innerWidth. It is the one place that rule lives:
//
//   - a tablet user agent (iPad, "Tablet", Kindle/Silk, Android without
//     "Mobile" — Android phones say "Mobile", Android tablets do not) →
//     tablet;
//   - a phone user agent (iPhone, iPod, "Mobi", Android, Windows Phone…) →
//     mobile;
//   - any other user agent → desktop;
//   - no user agent: by width when there is one (below MobileMaxWidth
//     mobile, below TabletMaxWidth tablet, else desktop), else unknown.
//
// iPads since iPadOS 13 send Safari's desktop Mac user agent by default
// ("Macintosh; Intel Mac OS X"), which a strict pixel cannot tell from a
// Mac: touch support is not in the event's context, and a width would
// mislabel every Mac with a narrow window. Those iPads count as desktop;
// iPads in apps and in Chrome, which say "iPad", count as tablets.
func DeviceOf(userAgent string, innerWidth int) Device {
	if strings.TrimSpace(userAgent) == "" {
		switch {
		case innerWidth <= 0:
			return DeviceUnknown
		case innerWidth < MobileMaxWidth:
			return DeviceMobile
		case innerWidth < TabletMaxWidth:
			return DeviceTablet
		}
		return DeviceDesktop
	}
	lower := strings.ToLower(userAgent)
	switch {
	case containsAny(lower, tabletWords) || samsungTablet(lower):
		return DeviceTablet
	case strings.Contains(lower, "android") && !strings.Contains(lower, "mobile"):
		return DeviceTablet
	case containsAny(lower, mobileWords):
		return DeviceMobile
	}
	return DeviceDesktop
}

// botWords are the lower-case names of crawlers, monitors, HTTP libraries
// and headless or automated browsers that do not end in "bot", "crawler"
// or "spider" (which IsBot matches as words on their own).
var botWords = []string{
	"headlesschrome", "phantomjs", "lighthouse", "pagespeed", "gtmetrix", "pingdom", "slurp",
	"facebookexternalhit", "ahrefs", "semrush", "mj12", "yandex", "baiduspider", "bytespider", "applebot",
	"duckduck", "perplexity", "puppeteer", "playwright", "selenium", "webdriver", "cypress",
	"python-requests", "python-urllib", "aiohttp", "curl/", "wget/", "go-http-client", "node-fetch",
	"axios/", "okhttp", "java/", "libwww", "httpclient", "scrapy",
}

// notBotWords end in "bot" and are no bot: Cubot is a phone maker.
var notBotWords = []string{"cubot"}

// botSuffixes end the words of a user agent that name a bot.
var botSuffixes = []string{"bot", "crawler", "spider"}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' }

// hasBotWord reports whether a lower-case user agent has a word (a run of
// letters) ending in one of botSuffixes, other than notBotWords.
func hasBotWord(ua string) bool {
	for _, suf := range botSuffixes {
		for from := 0; ; {
			i := strings.Index(ua[from:], suf)
			if i < 0 {
				break
			}
			i += from
			end := i + len(suf)
			from = i + 1
			if end < len(ua) && isLetter(ua[end]) {
				continue
			}
			start := i
			for start > 0 && isLetter(ua[start-1]) {
				start--
			}
			if !slices.Contains(notBotWords, ua[start:end]) {
				return true
			}
		}
	}
	return false
}

// IsBot reports whether userAgent is a crawler or a headless or automated
// browser: Googlebot, bingbot, AhrefsBot and every "…bot", crawler and
// spider; HeadlessChrome, PhantomJS, Lighthouse, Puppeteer, Playwright,
// Selenium; and HTTP libraries (curl, python-requests…). Visits with such
// a user agent are counted apart and left out of reports. An empty user
// agent is not a bot (DOM events carry no context).
func IsBot(userAgent string) bool {
	lower := strings.ToLower(userAgent)
	return containsAny(lower, botWords) || hasBotWord(lower)
}

// PageType is the kind of storefront page an event happened on.
type PageType string

// The page types, DESIGN's landing page types.
const (
	PageHome       PageType = "home"
	PageCollection PageType = "collection"
	PageProduct    PageType = "product"
	PageSearch     PageType = "search"
	PageCart       PageType = "cart"
	PagePage       PageType = "page"
	PageOther      PageType = "other"
)

// PageTypes returns every page type, in report order.
func PageTypes() []PageType {
	return []PageType{PageHome, PageCollection, PageProduct, PageSearch, PageCart, PagePage, PageOther}
}

// locale matches a path segment that is a Shopify Markets locale or
// country prefix: "en", "fr-ca", "en-us", "zh-hant".
var locale = regexp.MustCompile(`\A[a-z]{2}(-[a-z]{2,4})?\z`)

// PageTypeOf classifies a storefront path (query and fragment ignored, case
// ignored), the one place that rule lives:
//
//	/, /en, /fr-ca (locale roots)        home
//	/collections, /collections/x         collection
//	/collections/x/products/y            product
//	/products/x                          product
//	/search                              search
//	/cart                                cart
//	/pages/x                             page
//	anything else (blogs, checkout, …)   other
//
// A leading locale segment is skipped, so /de/products/x is a product.
func PageTypeOf(path string) PageType {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	var segs []string
	for s := range strings.SplitSeq(strings.ToLower(path), "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	if len(segs) > 0 && locale.MatchString(segs[0]) {
		segs = segs[1:]
	}
	if len(segs) == 0 {
		return PageHome
	}
	switch segs[0] {
	case "collections":
		if len(segs) >= 4 && segs[2] == "products" {
			return PageProduct
		}
		return PageCollection
	case "products":
		if len(segs) >= 2 {
			return PageProduct
		}
		return PageCollection // /products lists every product
	case "search":
		return PageSearch
	case "cart":
		return PageCart
	case "pages":
		return PagePage
	}
	return PageOther
}

// TrafficSource is where a visit came from: a referrer class or a
// UTM-tagged class.
type TrafficSource string

// The sources. SourcePaid is only ever read from UTM tags (utm_medium cpc,
// ppc, paid…): a referrer cannot tell an ad click from an organic one.
const (
	SourceSearch TrafficSource = "search"
	SourceSocial TrafficSource = "social"
	SourceEmail  TrafficSource = "email"
	SourcePaid   TrafficSource = "paid"
	SourceDirect TrafficSource = "direct"
	SourceOther  TrafficSource = "other"
)

// TrafficSources returns every traffic source, in report order.
func TrafficSources() []TrafficSource {
	return []TrafficSource{SourceSearch, SourceSocial, SourceEmail, SourcePaid, SourceDirect, SourceOther}
}

// The hosts and UTM values SourceOf knows, lower case.
var (
	// searchEngines are matched as any label of the referrer's host but
	// the last (google.com, google.co.uk, www.bing.com).
	searchEngines = []string{"google", "bing", "yahoo", "duckduckgo", "baidu", "yandex", "ecosia", "startpage", "qwant", "naver", "seznam"}
	// socialHosts and emailHosts are matched as the host or a suffix after
	// a dot.
	socialHosts = []string{"facebook.com", "fb.com", "fb.me", "instagram.com", "t.co", "twitter.com", "x.com", "tiktok.com",
		"pinterest.com", "pin.it", "linkedin.com", "lnkd.in", "reddit.com", "youtube.com", "youtu.be", "snapchat.com",
		"threads.net", "whatsapp.com", "t.me", "tumblr.com", "vk.com"}
	emailHosts = []string{"mail.google.com", "outlook.live.com", "outlook.office.com", "outlook.office365.com",
		"mail.yahoo.com", "mail.aol.com", "mail.proton.me", "klclick.com", "klclick1.com", "klclick2.com",
		"klclick3.com", "klaviyomail.com", "list-manage.com", "mailchi.mp", "omnisend.com", "sendgrid.net"}

	emailMediums  = []string{"email", "e-mail", "newsletter", "klaviyo", "sms"}
	socialMediums = []string{"social", "sm", "social-media", "social_media", "socialmedia", "social-network", "organic-social", "organic_social"}
	paidMediums   = []string{"cpc", "ppc", "cpm", "cpa", "cpv", "display", "banner", "ad", "ads", "retargeting", "affiliate"}
	searchMediums = []string{"organic", "seo"}
	searchSources = []string{"google", "bing", "yahoo", "duckduckgo", "baidu", "yandex", "ecosia"}
	socialSources = []string{"facebook", "fb", "ig", "instagram", "meta", "twitter", "x", "tiktok", "pinterest", "linkedin",
		"reddit", "youtube", "snapchat", "threads", "whatsapp"}
	emailSources = []string{"klaviyo", "mailchimp", "omnisend", "newsletter", "email", "sendgrid", "brevo", "sms"}
)

// hostIn reports whether host is one of hosts or a subdomain of one.
func hostIn(host string, hosts []string) bool {
	for _, h := range hosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}

// searchHost reports whether host is a search engine's.
func searchHost(host string) bool {
	if host == "search.brave.com" {
		return true
	}
	labels := strings.Split(host, ".")
	for _, l := range labels[:len(labels)-1] {
		if slices.Contains(searchEngines, l) {
			return true
		}
	}
	return false
}

// SourceOf classifies where a visit came from, from the landing page's
// utm_source and utm_medium, the referrer's host and the storefront's own
// host. It is the one place that rule lives. UTM tags come first (the
// merchant tagged the link): utm_medium email/newsletter → email,
// social → social, cpc/ppc/paid/display… → paid, organic → search; else
// utm_source names a search engine, social network or e-mail tool; a tag
// that says none of these is other. Without tags, the referrer: none, or
// the shop itself (a self-referral, www. or not), or Shopify's checkout →
// direct; a webmail or e-mail tool's click tracker → email; a search
// engine → search; a social network → social; anything else → other.
func SourceOf(utmSource, utmMedium, referrerHost, shopHost string) TrafficSource {
	utmSource, utmMedium = strings.ToLower(strings.TrimSpace(utmSource)), strings.ToLower(strings.TrimSpace(utmMedium))
	if utmSource != "" || utmMedium != "" {
		switch {
		case slices.Contains(emailMediums, utmMedium):
			return SourceEmail
		case slices.Contains(socialMediums, utmMedium):
			return SourceSocial
		case slices.Contains(paidMediums, utmMedium) || strings.HasPrefix(utmMedium, "paid"):
			return SourcePaid
		case slices.Contains(searchMediums, utmMedium):
			return SourceSearch
		case slices.Contains(emailSources, utmSource):
			return SourceEmail
		case slices.Contains(socialSources, utmSource):
			return SourceSocial
		case slices.Contains(searchSources, utmSource):
			return SourceSearch
		}
		return SourceOther
	}
	ref := hostOnly(referrerHost)
	switch {
	case ref == "" || ref == hostOnly(shopHost) || strings.HasSuffix(ref, ".myshopify.com") ||
		ref == "checkout.shopify.com" || ref == "shop.app":
		return SourceDirect
	case hostIn(ref, emailHosts) || strings.HasPrefix(ref, "webmail."):
		return SourceEmail // before search: mail.google.com is not a search
	case searchHost(ref):
		return SourceSearch
	case hostIn(ref, socialHosts):
		return SourceSocial
	}
	return SourceOther
}

// hostOnly lower-cases a host and drops a port, a trailing dot and a
// leading "www." or "m.".
func hostOnly(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
		h = h[:i]
	}
	h = strings.TrimSuffix(h, ".")
	for _, p := range []string{"www.", "m."} {
		h = strings.TrimPrefix(h, p)
	}
	return h
}

// Agents classifies user agents as IsBot and DeviceOf do, remembering the
// last few it read: a client's events carry one, and a group of batches or
// a fold of many clients holds few distinct ones (browsers' releases), so
// each is read once instead of once an event. The zero value is ready; an
// Agents is not for concurrent use.
type Agents struct {
	kept [agentsKept]agent
	n    int // kept[:n] are filled
	next int // the slot the next new user agent takes, oldest first
}

// agentsKept is how many user agents an Agents remembers: comparing a
// string with each costs little beside classifying one.
const agentsKept = 8

// agent is a user agent and how it classifies.
type agent struct {
	ua     string
	blank  bool // ua holds only spaces: the device is the width's
	bot    bool
	device Device
}

func (a *Agents) of(ua string) *agent {
	for i := range a.n {
		if a.kept[i].ua == ua {
			return &a.kept[i]
		}
	}
	g := &a.kept[a.next]
	a.next = (a.next + 1) % agentsKept
	a.n = min(a.n+1, agentsKept)
	*g = agent{ua: ua, blank: strings.TrimSpace(ua) == "", bot: IsBot(ua)}
	if !g.blank {
		g.device = DeviceOf(ua, 0)
	}
	return g
}

// Bot is IsBot(userAgent).
func (a *Agents) Bot(userAgent string) bool { return a.of(userAgent).bot }

// Device is DeviceOf(userAgent, innerWidth).
func (a *Agents) Device(userAgent string, innerWidth int) Device {
	if g := a.of(userAgent); !g.blank {
		return g.device
	}
	return DeviceOf(userAgent, innerWidth)
}
