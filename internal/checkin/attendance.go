package checkin

// attendanceViews are the templates of the attendance report.
var attendanceViews = []string{}
