//! Integration tests: the real `vetted` binary against a real database, one fresh database per
//! test. All in one test binary so it is built once.

#[macro_use]
mod support;

mod backends;
mod bad_input;
mod buyers;
mod capacity;
mod cluster;
mod concurrency;
mod corrections;
mod deals;
mod export;
mod external_csv;
mod files;
mod history;
mod html;
mod import;
mod import_safety;
mod limits;
mod names;
mod notes;
mod operations;
mod output;
mod references;
mod reports;
mod reproducible;
mod sites;
mod storage;
mod suppliers;
mod trial;
mod valid_time;
mod visits;
mod what_gets_out;
