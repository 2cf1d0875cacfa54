// ncurses globals and function-like macros do not import under Swift 6 strict concurrency:
// wrap them in functions. SwiftPM drops the pkg-config defines, so set them here.
#ifndef WIDASH_CNCURSES_SHIM_H
#define WIDASH_CNCURSES_SHIM_H
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>

static inline WINDOW *widash_stdscr(void) { return stdscr; }
static inline int widash_cols(void) { return COLS; }
static inline int widash_lines(void) { return LINES; }
static inline int widash_colors(void) { return COLORS; }
static inline int widash_color_pairs(void) { return COLOR_PAIRS; }
static inline void widash_set_escdelay(int ms) { set_escdelay(ms); }
static inline int widash_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline int widash_attr_bold(void) { return (int)A_BOLD; }
static inline int widash_attr_reverse(void) { return (int)A_REVERSE; }
static inline int widash_attr_underline(void) { return (int)A_UNDERLINE; }
static inline int widash_attr_dim(void) { return (int)A_DIM; }
static inline int widash_key_resize(void) { return KEY_RESIZE; }
static inline int widash_key_mouse(void) { return KEY_MOUSE; }
static inline int widash_key_code_yes(void) { return KEY_CODE_YES; }
static inline void widash_setlocale_all(void) { setlocale(LC_ALL, ""); }
/* Puts one wide character with attributes and colour pair at (y, x). */
static inline int widash_put_wch(int y, int x, wchar_t ch, int attrs, short pair) {
    cchar_t c; wchar_t s[2] = { ch, 0 };
    setcchar(&c, s, (attr_t)attrs, pair, NULL);
    return mvadd_wch(y, x, &c);
}
static inline int widash_get_wch(wint_t *out) { return get_wch(out); }
static inline mmask_t widash_all_mouse_events(void) { return ALL_MOUSE_EVENTS | REPORT_MOUSE_POSITION; }
static inline int widash_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline int widash_button5_pressed(void) { return BUTTON5_PRESSED; }
static inline int widash_button1_clicked(void) { return BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED; }
/* Added for the WidashTUI backend. */
#include <langinfo.h>
#include <string.h>
#include <stdio.h>
/* True when setlocale() selected a UTF-8 codeset. */
static inline int widash_locale_is_utf8(void) {
    const char *cs = nl_langinfo(CODESET);
    return cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0 || strcmp(cs, "UTF8") == 0);
}
/* newterm on the process's stdout/stdin: returns NULL instead of exiting when the terminal is unusable. */
static inline SCREEN *widash_newterm(void) { return newterm(NULL, stdout, stdin); }
static inline mmask_t widash_click_mouse_events(void) { return ALL_MOUSE_EVENTS; }
/* Reads the pending mouse event; returns 0 on success. */
static inline int widash_getmouse(int *x, int *y, unsigned long *bstate) {
    MEVENT ev;
    if (getmouse(&ev) != OK) return -1;
    *x = ev.x; *y = ev.y; *bstate = (unsigned long)ev.bstate;
    return 0;
}
static inline int widash_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline int widash_button1_clicked_only(void) { return BUTTON1_CLICKED; }
static inline int widash_button1_released(void) { return BUTTON1_RELEASED; }
#endif
