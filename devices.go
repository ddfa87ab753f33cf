// Device cookies (OWASP, "Slow down online guessing attacks with device
// cookies"): a browser that logged in successfully carries a signed,
// encrypted cookie naming the user and the device. Its later login
// attempts for that user spend the device's own budget
// (Options.DeviceLimiter), not the user's, so that guessing at a user name
// from anywhere never locks out the devices its user logged in from. A
// device that fails too often loses its standing: its cookie is cleared,
// and it waits for the user's budget like any stranger.

package formgate

import (
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/formgate/formgate/internal/session"
)

const (
	// deviceCookieName carries the device's token. It outlives sessions
	// (logout keeps it): it opens nothing, it only sets which budget a
	// login attempt spends.
	deviceCookieName = "formgate_device"
	// deviceTTL is how long a device keeps its standing after its last
	// successful login.
	deviceTTL = 365 * 24 * time.Hour
)

// deviceScope keys the device tokens apart from the sessions of the same
// base path (the HKDF info differs), so neither passes as the other.
func deviceScope(base string) string { return "device\x00" + base }

// device is the id of r's device cookie when it is valid, names user (as
// typed), and was made under the user's current credential; else "". A
// new password ends the standing of every device, so that devices minted
// with a password that was known to someone else give no guesses at the
// new one.
func (g *Gate) device(r *http.Request, jar *cookies, user string) string {
	for _, c := range jar.named(deviceCookieName) {
		d, err := g.devices.Decode(c.Value)
		if err != nil || d.User != user {
			continue
		}
		u, ok, err := g.o.Checker.Lookup(r.Context(), user)
		if err == nil && ok && subtle.ConstantTimeCompare([]byte(u.Stamp), []byte(d.Stamp)) == 1 {
			return d.ID
		}
	}
	return ""
}

// deviceCookie is the device cookie for u's device id ("" for a new
// device), made after a successful form login, bound to u's credential;
// nil if it cannot be made.
func (g *Gate) deviceCookie(r *http.Request, u User, id string) *http.Cookie {
	d := session.New(u.Name, u.Stamp, time.Now())
	if id != "" {
		d.ID = id // the same device, its year starting again
	}
	value, err := g.devices.Encode(d)
	if err != nil {
		return nil
	}
	c := g.cookie(r, value, int(deviceTTL/time.Second))
	c.Name = deviceCookieName
	c.SameSite = http.SameSiteStrictMode // only ever needed on the site's own login POST
	return c
}

// clearDevice is the device cookie cleared: the device lost its standing.
func (g *Gate) clearDevice(r *http.Request) *http.Cookie {
	c := g.cookie(r, "", -1)
	c.Name = deviceCookieName
	c.SameSite = http.SameSiteStrictMode
	return c
}
