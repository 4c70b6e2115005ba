package invitation

// rsvpViews are the templates of the guest's answer pages.
var rsvpViews = []string{}
