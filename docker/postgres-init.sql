-- One database per service, created when the PostgreSQL volume is first initialised.
CREATE DATABASE user_db;
CREATE DATABASE restaurant_db;
CREATE DATABASE order_db;
