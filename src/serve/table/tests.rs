//! The route table's own checks.

use super::*;

#[test]
fn paths_find_their_route_and_values() {
    let (r, a) = find("GET", "/council/versions/3/file").unwrap();
    assert_eq!(
        (r.path, a),
        ("/council/versions/{v}/file", vec!["3".to_string()])
    );
    let (r, a) = find("GET", "/admin/releases/2/files/public/national/x.pdf").unwrap();
    assert_eq!(r.path, "/admin/releases/{v}/files/{*file}");
    assert_eq!(a, ["2", "public/national/x.pdf"]);
    let (r, a) = find("GET", "/releases/2025/").unwrap();
    assert_eq!(
        (r.path, a),
        (
            "/releases/{year}/{*path}",
            vec!["2025".to_string(), String::new()]
        )
    );
    assert_eq!(
        find("GET", "/releases/2025").unwrap().0.path,
        "/releases/{year}"
    );
    assert_eq!(
        find("GET", "/council/report/internal/x.pdf")
            .unwrap()
            .0
            .path,
        "/council/report/internal/{file}"
    );
    assert!(find("POST", "/council/versions/3").is_none());
    assert!(find("GET", "/council/versions/").is_none());
    assert!(find("GET", "/nothing").is_none());
    assert_eq!(find("GET", "/").unwrap().0.path, "/");
}

#[test]
fn every_change_is_a_post_and_uploads_are_councils() {
    for r in ROUTES {
        assert!(["GET", "POST"].contains(&r.method), "{}", r.path);
        // Heavy work is a council's own (one at a time, on its budget);
        // the team's list is small and the team's alone.
        match r.body {
            Body::Upload | Body::Typeset => {
                assert_eq!((r.method, r.who), ("POST", Who::Council), "{}", r.path)
            }
            Body::List => assert_eq!((r.method, r.who), ("POST", Who::Team), "{}", r.path),
            Body::Form => {}
        }
    }
}
