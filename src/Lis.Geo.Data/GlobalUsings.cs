// The namespaces Lis.Geo.Data's code is built on, named once for the whole project (each is used by a
// fifth of its files or more); a file's own using list names only what it alone needs.
global using Lis.Geo.Data.Model;
global using NetTopologySuite.Geometries;
global using Npgsql;
