/* Reads an iCalendar file with libical (the parser of GNOME's Evolution and Calendar), runs its
 * RFC 5545 / RFC 5546 restriction checks, and fails naming every error libical reports
 * (X-LIC-ERROR). Prints the number of VEVENTs on success.
 *
 *   cc libical_check.c $(pkg-config --cflags --libs libical) -o libical_check
 *   ./libical_check feed.ics
 */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int report(icalcomponent *c, int depth) {
    int errors = 0;
    for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
        fprintf(stderr, "libical: %s: %s\n", icalcomponent_kind_to_string(icalcomponent_isa(c)),
                icalproperty_get_xlicerror(p));
        errors++;
    }
    for (icalcomponent *s = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); s;
         s = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT)) {
        errors += report(s, depth + 1);
    }
    return errors;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.ics\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "%s: cannot read\n", argv[1]);
        return 2;
    }
    buf[n] = 0;
    fclose(f);
    icalcomponent *cal = icalparser_parse_string(buf);
    if (!cal || icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT) {
        fprintf(stderr, "libical: %s is not one VCALENDAR\n", argv[1]);
        return 1;
    }
    icalrestriction_check(cal);
    int errors = report(cal, 0);
    int events = icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT);
    icalcomponent_free(cal);
    free(buf);
    if (errors) {
        fprintf(stderr, "libical: %d errors in %s\n", errors, argv[1]);
        return 1;
    }
    printf("%d\n", events);
    return 0;
}
