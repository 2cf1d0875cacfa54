// WidashTUI
