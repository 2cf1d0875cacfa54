// The default and monochrome themes, embedded so that widash works without its themes folder.
// Keep in sync with themes/default.yaml and themes/monochrome.yaml (a test compares them).
public enum BuiltinThemes {
    static let defaultYAML = #"""
# widash theme "default": readable on most dark and light terminals.
# Format: every colour role maps to fg (foreground), bg (background) and attrs.
# Colours: a name (black red green yellow blue magenta cyan white, bright-NAME, gray, orange, ...,
# default = the terminal's own), a number 0-255, or #rrggbb. attrs: bold, reverse, underline, dim.
name: default
roles:
  text:           { fg: default, bg: default }
  dim:            { fg: gray,    bg: default }
  title:          { fg: cyan,    bg: default, attrs: [bold] }
  header:         { fg: white,   bg: blue }
  headerLabel:    { fg: bright-cyan, bg: blue, attrs: [bold] }
  headerWarning:  { fg: black,   bg: yellow,  attrs: [bold] }
  hints:          { fg: cyan,    bg: default }
  crumbs:         { fg: black,   bg: cyan }
  tableHeader:    { fg: white,   bg: default, attrs: [bold, underline] }
  tableRow:       { fg: default, bg: default }
  tableCursor:    { fg: black,   bg: cyan }
  tableSelection: { fg: black,   bg: bright-blue }
  tableChanged:   { fg: black,   bg: yellow }
  statusOK:       { fg: green,   bg: default }
  statusWarn:     { fg: yellow,  bg: default }
  statusError:    { fg: red,     bg: default, attrs: [bold] }
  stepPending:    { fg: gray,    bg: default }
  stepRunning:    { fg: cyan,    bg: default, attrs: [bold] }
  stepPassed:     { fg: green,   bg: default }
  stepFailed:     { fg: red,     bg: default, attrs: [bold] }
  border:         { fg: blue,    bg: default }
  flash:          { fg: green,   bg: default }
  flashError:     { fg: bright-white, bg: red, attrs: [bold] }
  banner:         { fg: bright-white, bg: red, attrs: [bold] }
  commandLine:    { fg: bright-white, bg: default, attrs: [bold] }
"""#

    static let monochromeYAML = #"""
# widash theme "monochrome": no colours, attributes only (also used when NO_COLOR is set).
name: monochrome
roles:
  text:           { fg: default, bg: default }
  dim:            { fg: default, bg: default, attrs: [dim] }
  title:          { fg: default, bg: default, attrs: [bold] }
  header:         { fg: default, bg: default, attrs: [reverse] }
  headerLabel:    { fg: default, bg: default, attrs: [reverse, bold] }
  headerWarning:  { fg: default, bg: default, attrs: [bold, underline] }
  hints:          { fg: default, bg: default }
  crumbs:         { fg: default, bg: default, attrs: [reverse] }
  tableHeader:    { fg: default, bg: default, attrs: [bold, underline] }
  tableRow:       { fg: default, bg: default }
  tableCursor:    { fg: default, bg: default, attrs: [reverse] }
  tableSelection: { fg: default, bg: default, attrs: [reverse, bold] }
  tableChanged:   { fg: default, bg: default, attrs: [bold] }
  statusOK:       { fg: default, bg: default }
  statusWarn:     { fg: default, bg: default, attrs: [bold] }
  statusError:    { fg: default, bg: default, attrs: [bold, underline] }
  stepPending:    { fg: default, bg: default, attrs: [dim] }
  stepRunning:    { fg: default, bg: default, attrs: [bold] }
  stepPassed:     { fg: default, bg: default }
  stepFailed:     { fg: default, bg: default, attrs: [bold, underline] }
  border:         { fg: default, bg: default }
  flash:          { fg: default, bg: default, attrs: [bold] }
  flashError:     { fg: default, bg: default, attrs: [reverse, bold] }
  banner:         { fg: default, bg: default, attrs: [reverse, bold] }
  commandLine:    { fg: default, bg: default, attrs: [bold] }
"""#

    /// The default theme (from the embedded copy of themes/default.yaml).
    public static let defaultTheme: Theme = parseEmbedded(defaultYAML, name: "default")

    /// Attributes only, no colours: used for `NO_COLOR` and terminals without colours.
    public static let monochrome: Theme = parseEmbedded(monochromeYAML, name: "monochrome")

    /// The embedded text is part of the program and tested; should it ever fail to parse, fall
    /// back to plain text rather than crash.
    private static func parseEmbedded(_ yaml: String, name: String) -> Theme {
        (try? ThemeParser.parse(yaml, fileName: "\(name) (built in)")) ?? Theme(name: name, styles: [:])
    }
}
