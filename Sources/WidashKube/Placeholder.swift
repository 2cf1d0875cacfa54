// WidashKube
