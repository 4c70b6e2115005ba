package invitation

// organizerViews are the templates of the organizers' invitation pages.
var organizerViews = []string{}
