// The namespaces Lis.Geo.Transit's code is built on, named once for the whole project (each is used by a
// fifth of its files or more); a file's own using list names only what it alone needs.
global using Lis.Geo.Transit.Gtfs;
global using Lis.Geo.Transit.Timetables;
global using Lis.Geo.Transit.Walking;
